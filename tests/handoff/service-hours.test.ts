import { describe, expect, it } from "vitest";
import { parseServiceHours, serviceStatus } from "../../src/handoff/service-hours.js";

// 2026-11-25 in Asia/Shanghai (UTC+8): 08:00 local is 00:00 UTC
const shanghai = (hhmm: string) => Date.parse(`2026-11-25T${hhmm}:00+08:00`);

describe("service hours", () => {
  const hours = parseServiceHours("09:00-18:00", "Asia/Shanghai");

  it("is open inside the window in the configured time zone", () => {
    expect(serviceStatus(hours, shanghai("09:00"))).toEqual({ open: true });
    expect(serviceStatus(hours, shanghai("17:59"))).toEqual({ open: true });
  });

  it("says agents start today when it is before the window", () => {
    expect(serviceStatus(hours, shanghai("07:30"))).toEqual({ open: false, opens: "今天 09:00" });
  });

  it("says agents start tomorrow when it is after the window", () => {
    expect(serviceStatus(hours, shanghai("18:00"))).toEqual({ open: false, opens: "明天 09:00" });
    expect(serviceStatus(hours, shanghai("23:10"))).toEqual({ open: false, opens: "明天 09:00" });
  });

  it("handles a window that spans midnight", () => {
    const night = parseServiceHours("22:00-06:00", "Asia/Shanghai");
    expect(serviceStatus(night, shanghai("23:00")).open).toBe(true);
    expect(serviceStatus(night, shanghai("05:00")).open).toBe(true);
    expect(serviceStatus(night, shanghai("12:00"))).toEqual({ open: false, opens: "今天 22:00" });
  });

  it("is always open when no hours are configured", () => {
    expect(parseServiceHours("", "Asia/Shanghai")).toBeNull();
    expect(serviceStatus(null, 0)).toEqual({ open: true });
  });

  it("rejects an unreadable window or time zone with the fix in the message", () => {
    expect(() => parseServiceHours("9-18", "Asia/Shanghai")).toThrow(/09:00-18:00/);
    expect(() => parseServiceHours("09:00-18:00", "Mars/Base")).toThrow(/Asia\/Shanghai/);
  });
});
