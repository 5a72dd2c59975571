/** One parsed CSV record with the line it starts on (1-based). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes). Throws on an unclosed quote. */
export function parseCsv(src: string): CsvRecord[] {
  const text = src.replace(/^\ufeff/, "");
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      fields.push(field);
      if (fields.some((f) => f.trim() !== "")) records.push({ line: recordLine, fields });
      fields = [];
      field = "";
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) throw new CsvError(quoteLine, "a quoted field is never closed");
  fields.push(field);
  if (fields.some((f) => f.trim() !== "")) records.push({ line: recordLine, fields });
  return records;
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}
