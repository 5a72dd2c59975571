/** When agents answer: a daily window in a time zone, e.g. 09:00-18:00 in Asia/Shanghai. */
export interface ServiceHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
  timeZone: string;
  /** As configured, for messages: "09:00-18:00". */
  label: string;
}

const RANGE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

/**
 * Reads `SERVICE_HOURS` ("09:00-18:00"; an end before the start spans midnight). Empty means always open.
 * Throws with the fix in the message when the value cannot be read.
 */
export function parseServiceHours(spec: string | undefined, timeZone: string): ServiceHours | null {
  if (!spec || spec.trim() === "") return null;
  const m = RANGE.exec(spec.trim());
  if (!m) throw new Error(`SERVICE_HOURS=${JSON.stringify(spec)} is not a daily window: write it like 09:00-18:00 (or leave it empty for always open)`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (start === end) throw new Error(`SERVICE_HOURS=${JSON.stringify(spec)} opens and closes at the same time: leave it empty for always open`);
  if (!isTimeZone(timeZone)) throw new Error(`SERVICE_TZ=${JSON.stringify(timeZone)} is not a time zone: use an IANA name like Asia/Shanghai`);
  return { start, end, timeZone, label: spec.trim() };
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Minutes after midnight at `at` in the time zone. */
export function localMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

/** The local date (YYYY-MM-DD) at `at` in the time zone. */
export function localDate(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** Whether agents are at work at `at`, and if not, when they start ("今天 09:00" / "明天 09:00"). */
export function serviceStatus(hours: ServiceHours | null, at: number): { open: true } | { open: false; opens: string } {
  if (!hours) return { open: true };
  const now = localMinutes(at, hours.timeZone);
  const { start, end } = hours;
  const open = start < end ? now >= start && now < end : now >= start || now < end;
  if (open) return { open: true };
  const hhmm = `${String(Math.floor(start / 60)).padStart(2, "0")}:${String(start % 60).padStart(2, "0")}`;
  return { open: false, opens: `${now < start ? "今天" : "明天"} ${hhmm}` };
}
