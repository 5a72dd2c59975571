import pino, { type Logger } from "pino";

/** The process logger: pretty in a terminal, JSON otherwise. */
export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== "production";
  return pino({
    level,
    redact: { paths: ["*.password", "*.token", "*.secret", "*.appSecret", "req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
    ...(pretty ? { transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" } } } : {}),
  });
}
