import { describe, expect, test } from "vitest";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { formatDay, formatKg, formatMoney, formatTime, fromCstWallClock, overdueSpan, toCstWallClock } from "@/format";
import { backlog, column, everyDay, num, pivot, toCsv } from "@/report";
import { create } from "@bufbuild/protobuf";
import { Stage } from "@/gen/docket/v1/common_pb";
import { CaseStateSchema } from "@/gen/docket/v1/state_pb";

describe("units", () => {
  test("money in 元 with two decimals", () => {
    expect(formatMoney(4820n, "zh-CN")).toBe("48.20 元");
    expect(formatMoney(1050000n, "zh-CN")).toBe("10,500.00 元");
    expect(formatMoney(0n, "en")).toBe("CNY 0.00");
  });
  test("a typed time is China Standard Time's, whatever the browser's zone", () => {
    // The tests run in UTC: read as the browser's wall clock, 12:55 would be
    // 12:55Z, 20:55 in China (a handler abroad, or a misset computer).
    expect(fromCstWallClock("2026-11-28 12:55:00").toISOString()).toBe("2026-11-28T04:55:00.000Z");
    expect(toCstWallClock(new Date("2026-11-28T04:55:00Z"))).toBe("2026-11-28 12:55:00");
    expect(fromCstWallClock(toCstWallClock(new Date("2026-11-01T16:30:00Z"))).toISOString()).toBe(
      "2026-11-01T16:30:00.000Z",
    );
  });
  test("times in China Standard Time", () => {
    expect(formatTime(timestampFromDate(new Date("2026-11-02T01:10:00Z")))).toBe("2026-11-02 09:10");
    expect(formatTime(undefined)).toBe("—");
    // A day is China Standard Time's: 16:30 UTC is half past midnight there.
    expect(formatDay(new Date("2026-11-01T16:30:00Z"))).toBe("2026-11-02");
    expect(formatDay(new Date("2026-11-01T15:59:00Z"))).toBe("2026-11-01");
  });
  test("weights in kg", () => expect(formatKg(2410n)).toBe("2.41"));
});

describe("report tables", () => {
  const rows = [
    { day: "2026-11-02", category: "DAMAGE", opened: "2", sla_met_pct: "100.0" },
    { day: "2026-11-03", category: "BILLING", opened: "1", sla_met_pct: "-" },
    { day: "2026-11-03", category: "DAMAGE", opened: "0", sla_met_pct: "50.0" },
  ];
  test("a dash is no value, never zero", () => {
    expect(num("-")).toBeNull();
    expect(num("<=15")).toBeNull();
    expect(num("0")).toBe(0);
  });
  test("pivot by a dimension", () => {
    expect(pivot(rows, "day", "category", "opened")).toEqual({
      x: ["2026-11-02", "2026-11-03"],
      series: [
        { name: "BILLING", data: [null, 1] },
        { name: "DAMAGE", data: [2, 0] },
      ],
    });
    expect(column(rows.slice(0, 2), "day", "sla_met_pct").data).toEqual([100, null]);
  });
  test("a day without a row is on the axis, with no value, and the days picked are all there", () => {
    const gappy = [
      { day: "2026-11-28", opened: "2" },
      { day: "2026-12-02", opened: "1" },
    ];
    expect(column(gappy, "day", "opened")).toEqual({
      x: ["2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"],
      data: [2, null, null, null, 1],
    });
    expect(column(gappy, "day", "opened", { from: "2026-11-27", to: "2026-12-03" }).x).toHaveLength(7);
    expect(everyDay(["2026-12-31"], { from: "2026-12-30", to: "2027-01-01" })).toEqual(["2026-12-30", "2026-12-31", "2027-01-01"]);
    // A span longer than two years: the days with rows only.
    expect(everyDay(["2020-01-01", "2026-01-01"])).toEqual(["2020-01-01", "2026-01-01"]);
    // Not days: left as they are.
    expect(column([{ branch: "GZ", opened: "1" }], "branch", "opened").x).toEqual(["GZ"]);
  });
  test("backlog by age and stage leaves closed cases out", () => {
    const now = new Date("2026-11-10T00:00:00Z");
    const at = (d: string) => timestampFromDate(new Date(d));
    const cases = [
      create(CaseStateSchema, { stage: Stage.RESOLVING, openedAt: at("2026-11-09T12:00:00Z") }),
      create(CaseStateSchema, { stage: Stage.RESOLVING, openedAt: at("2026-11-01T00:00:00Z") }),
      create(CaseStateSchema, { stage: Stage.OPENED, openedAt: at("2026-11-08T00:00:00Z") }),
      create(CaseStateSchema, { stage: Stage.ARCHIVED, openedAt: at("2026-11-01T00:00:00Z") }),
    ];
    expect(backlog(cases, now)).toEqual({ stages: [Stage.OPENED, Stage.RESOLVING], counts: [[0, 1, 0, 0], [1, 0, 0, 1]] });
  });
  test("CSV quotes what needs quoting", () => {
    expect(toCsv(["a", "b"], [["x,y", 'say "hi"']])).toBe('a,b\n"x,y","say ""hi"""\n');
  });

  test("how long overdue, in whole units, never rounded up", () => {
    const min = 60000;
    expect(overdueSpan((9 * 24 * 60 + 17 * 60 + 59) * min, "zh-CN")).toBe("9 天 17 小时");
    expect(overdueSpan((3 * 60 + 5) * min + 59000, "zh-CN")).toBe("3 小时 05 分");
    expect(overdueSpan(12 * min, "zh-CN")).toBe("12 分钟");
    expect(overdueSpan((5 * 24 * 60 + 12 * 60 + 30) * min, "en")).toBe("5 d 12 h");
  });
});
