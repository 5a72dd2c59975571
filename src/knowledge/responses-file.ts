import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { allowedPlaceholders, isResponseKey, placeholdersOf, RESPONSE_KEYS, type ResponseKey } from "../dialog/responses.js";
import { didYouMean } from "./did-you-mean.js";

/**
 * Reads a responses file (groups of sentences: `fallback: { first: …, again: … }`). Unknown groups,
 * keys and placeholders are `file:line` errors; what is valid is kept.
 */
export function readResponsesFile(src: string, file: string): { values: Partial<Record<ResponseKey, string>>; errors: string[] } {
  const counter = new LineCounter();
  const doc = parseDocument(src, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    return { values: {}, errors: [`${file}:${first.linePos?.[0]?.line ?? 1}: ${first.message.split("\n")[0]}`] };
  }
  return readResponses(doc.contents, (node) => (node?.range ? counter.linePos(node.range[0]).line : 1), file);
}

/** Checks the parsed document of a responses file; `lineOf` gives a node's line. */
export function readResponses(
  root: unknown,
  lineOf: (node: YamlNode | null | undefined) => number,
  file: string,
): { values: Partial<Record<ResponseKey, string>>; errors: string[] } {
  const values: Partial<Record<ResponseKey, string>> = {};
  const errors: string[] = [];
  if (root === null || root === undefined) return { values, errors };
  if (!isMap(root)) return { values, errors: [`${file}:1: a responses file is a map of groups (bot:, fallback:, handoff: …), each a map of sentences`] };
  const keys = Object.keys(RESPONSE_KEYS);
  const groups = [...new Set(keys.map((k) => k.split(".")[0]!))];
  for (const group of root.items) {
    const groupName = isScalar(group.key) ? String(group.key.value) : "";
    const at = lineOf(group.key as YamlNode);
    if (!groups.includes(groupName)) {
      errors.push(`${file}:${at}: unknown group "${groupName}"${didYouMean(groupName, groups)} (groups: ${groups.join(", ")})`);
      continue;
    }
    if (!isMap(group.value)) {
      errors.push(`${file}:${at}: "${groupName}" is a map of sentences (e.g. ${keys.find((k) => k.startsWith(`${groupName}.`))!.split(".")[1]}: …)`);
      continue;
    }
    for (const item of group.value.items) {
      const name = isScalar(item.key) ? String(item.key.value) : "";
      const key = `${groupName}.${name}`;
      const line = lineOf(item.key as YamlNode);
      if (!isResponseKey(key)) {
        const known = keys.filter((k) => k.startsWith(`${groupName}.`)).map((k) => k.split(".")[1]!);
        errors.push(`${file}:${line}: unknown response "${key}"${didYouMean(name, known)} (${groupName} has: ${known.join(", ")})`);
        continue;
      }
      const value = isScalar(item.value) ? item.value.value : undefined;
      if ((typeof value !== "string" && typeof value !== "number") || String(value).trim() === "") {
        errors.push(`${file}:${line}: ${key} must be a non-empty sentence`);
        continue;
      }
      const text = String(value).trim();
      const allowed = allowedPlaceholders(key);
      const unknown = placeholdersOf(text).filter((p) => !allowed.includes(p));
      if (unknown.length > 0) {
        const may = allowed.length ? `it may use ${allowed.map((p) => `{${p}}`).join(", ")}` : "it may use none";
        errors.push(`${file}:${lineOf(item.value as YamlNode)}: unknown placeholder ${unknown.map((p) => `{${p}}`).join(", ")} in ${key}: ${may}`);
        continue;
      }
      values[key] = text;
    }
  }
  return { values, errors };
}
