import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** One agent of the agents file: a name and the scrypt hash of the password (never the password). */
export interface AgentRecord {
  name: string;
  hash: string;
}

/** Names shown to users ("客服「小王」已接入"): letters of any script, digits, _ . - */
export const AGENT_NAME = /^[\p{L}\p{N}_.-]{1,32}$/u;
export const MIN_PASSWORD_LENGTH = 8;

const PARAMS = { N: 16384, r: 8, p: 1, keylen: 32 };

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** "scrypt:N:r:p:salt:key" (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, PARAMS.keylen, { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p, maxmem: 64 * 1024 * 1024 });
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64url"), key.toString("base64url")].join(":");
}

/** Compares in constant time; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split(":");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, "base64url");
  const expected = Buffer.from(parts[5]!, "base64url");
  if (!N || !r || !p || expected.length === 0) return false;
  const key = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

/** Compares two secrets in constant time, whatever their lengths. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Reads the agents file; a missing file means no agents. Throws with the fix when it cannot be read. */
export function readAgents(file: string): AgentRecord[] {
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${(e as Error).message}): fix it or recreate it with \`npm run agent:add -- <name>\``);
  }
  const list = (parsed as { agents?: unknown }).agents;
  if (!Array.isArray(list)) throw new Error(`${file} must look like {"agents": [{"name": …, "hash": …}]}: recreate it with \`npm run agent:add -- <name>\``);
  return list.filter(
    (a): a is AgentRecord => typeof a === "object" && a !== null && typeof a.name === "string" && typeof a.hash === "string",
  );
}

/** Adds the agent, or replaces the password of an agent of that name. Written atomically, mode 0600. */
export function saveAgent(file: string, agent: AgentRecord): "added" | "updated" {
  const agents = readAgents(file);
  const i = agents.findIndex((a) => a.name === agent.name);
  if (i >= 0) agents[i] = agent;
  else agents.push(agent);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ agents }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return i >= 0 ? "updated" : "added";
}

/** Where the console finds its agents: the agents file (one instance), or the shared database (a fleet). */
export interface AgentDirectory {
  /** Where the agents are, for messages ("data/agents.json", "the database"). */
  readonly where: string;
  list(): Promise<AgentRecord[]>;
  /** Adds the agent, or replaces the password of an agent of that name. */
  put(agent: AgentRecord): Promise<"added" | "updated">;
}

export function fileAgents(file: string): AgentDirectory {
  return {
    where: file,
    list: async () => readAgents(file),
    put: async (agent) => saveAgent(file, agent),
  };
}
