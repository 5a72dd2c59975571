import { createInterface } from "node:readline";
import { loadConfigOrExit } from "../config.js";
import { AGENT_NAME, MIN_PASSWORD_LENGTH, hashPassword, saveAgent } from "../console/agents.js";
import { signInAddress } from "../console/sign-in-address.js";
import { createLogger } from "../log.js";
import { createPostgresStore } from "../store/postgres.js";

// npm run agent:add -- <name>: adds an agent of the console (or changes its password). The password
// comes from AGENT_PASSWORD, else from stdin (piped), else a prompt that does not echo it.

async function readPassword(): Promise<string> {
  if (process.env.AGENT_PASSWORD) return process.env.AGENT_PASSWORD;
  if (!process.stdin.isTTY) {
    let data = "";
    for await (const chunk of process.stdin) data += String(chunk);
    return data.split(/\r?\n/)[0] ?? "";
  }
  const ask = (question: string) =>
    new Promise<string>((done) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      // keep the typed password off the screen
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.startsWith(question)) process.stdout.write(question);
      };
      rl.question(question, (answer) => {
        rl.close();
        process.stdout.write("\n");
        done(answer);
      });
    });
  const first = await ask("password: ");
  const again = await ask("again: ");
  if (first !== again) fail("the two passwords differ: run the command again");
  return first;
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const name = process.argv[2];
if (!name || !AGENT_NAME.test(name)) fail("usage: npm run agent:add -- <name>   (1 to 32 letters, digits or _ . -; e.g. npm run agent:add -- xiaowang)");
// the same configuration as the server (.env, then the environment): the same file, the real address
const config = loadConfigOrExit();
const file = config.agentsFile;
const password = await readPassword();
if ([...password].length < MIN_PASSWORD_LENGTH) fail(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
const record = { name, hash: await hashPassword(password) };
if (config.DATABASE_URL) {
  // a fleet's agents are in its shared database: every instance sees the new one at once
  const store = createPostgresStore({ url: config.DATABASE_URL, log: createLogger("warn"), connectTimeoutMs: 15_000 });
  try {
    const known = (await store.listAgents()).some((a) => a.name === name);
    await store.putAgent(record);
    console.log(`agent "${name}" ${known ? "updated" : "added"} in the database (DATABASE_URL). Sign in at ${signInAddress(config)}`);
  } catch (err) {
    fail(`the agent could not be saved in the database (DATABASE_URL): ${(err as Error).message}`);
  } finally {
    await store.close();
  }
} else {
  const result = saveAgent(file, record);
  console.log(`agent "${name}" ${result} in ${file}. Sign in at ${signInAddress(config)}`);
}
