// The report's table (GET /v1/report) as chart data: rows by column name,
// numbers parsed ("-" is no value, never zero), series pivoted by a dimension.
import type { ReportTable } from "@/gen/docket/v1/api_pb";
import { Stage } from "@/gen/docket/v1/common_pb";
import type { CaseState } from "@/gen/docket/v1/state_pb";
import { toDate } from "./format";
import { isClosed } from "./sla";

export type Row = Record<string, string>;

export function rowsOf(table: ReportTable): Row[] {
  return table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c, r.cells[i] ?? ""])));
}

/** A metric cell as a number; null for "-", empty or a bucket bound like "<=60". */
export function num(cell: string | undefined): number | null {
  if (cell === undefined || cell === "" || cell === "-") return null;
  const n = Number(cell);
  return Number.isFinite(n) ? n : null;
}

export interface Pivot {
  x: string[];
  series: { name: string; data: (number | null)[] }[];
}

const DAY = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 731;

/**
 * Every calendar day ("2026-11-05") from the first to the last of `days`,
 * or over `span` where given: a day without a row is on the axis too (with
 * no value), so that a chart's days are evenly spaced. Days of the
 * calendar, counted in UTC arithmetic, whatever the browser's zone.
 */
export function everyDay(days: string[], span: { from?: string; to?: string } = {}): string[] {
  const known = days.filter((d) => ISO_DAY.test(d)).sort();
  const from = span.from && ISO_DAY.test(span.from) ? span.from : known[0];
  const to = span.to && ISO_DAY.test(span.to) ? span.to : known[known.length - 1];
  if (!from || !to || from > to) return known;
  const first = Date.parse(`${from}T00:00:00Z`);
  const last = Date.parse(`${to}T00:00:00Z`);
  // Longer than the axis can hold day by day: the days with rows only.
  if (last - first >= MAX_DAYS * DAY) return known;
  const out: string[] = [];
  for (let t = first; t <= last; t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  // Rows outside the span (none from the server) are kept, not hidden.
  return [...new Set([...out, ...known])].sort();
}

/** The values of `x` along the axis: every day for "day", else as they come. */
function axis(rows: Row[], x: string, span?: { from?: string; to?: string }): string[] {
  const xs = [...new Set(rows.map((r) => r[x] ?? ""))].sort();
  return x === "day" && xs.length > 0 ? everyDay(xs, span) : xs;
}

/** One series per value of `by`, over the sorted values of `x` (every day for "day"). */
export function pivot(rows: Row[], x: string, by: string, metric: string, span?: { from?: string; to?: string }): Pivot {
  const xs = axis(rows, x, span);
  const names = [...new Set(rows.map((r) => r[by] ?? ""))].sort();
  return {
    x: xs,
    series: names.map((name) => ({
      name,
      data: xs.map((xv) => {
        const r = rows.find((row) => row[x] === xv && row[by] === name);
        return r ? num(r[metric]) : null;
      }),
    })),
  };
}

/** One metric over one dimension (every day for "day"; a day without a row has no value). */
export function column(rows: Row[], x: string, metric: string, span?: { from?: string; to?: string }): { x: string[]; data: (number | null)[] } {
  const byX = new Map(rows.map((r) => [r[x] ?? "", r]));
  const xs = axis(rows, x, span);
  return { x: xs, data: xs.map((v) => num(byX.get(v)?.[metric])) };
}

export const AGE_BUCKETS = ["d1", "d3", "d7", "older"] as const;

/** Open cases counted by age since the complaint (buckets) and stage. */
export function backlog(cases: CaseState[], now: Date): { stages: Stage[]; counts: number[][] } {
  const open = cases.filter((c) => !isClosed(c) && c.stage !== Stage.UNSPECIFIED);
  const stages = [...new Set(open.map((c) => c.stage))].sort((a, b) => a - b);
  const counts = stages.map(() => AGE_BUCKETS.map(() => 0));
  for (const c of open) {
    const opened = toDate(c.openedAt);
    const age = opened ? now.getTime() - opened.getTime() : 0;
    const b = age < DAY ? 0 : age < 3 * DAY ? 1 : age < 7 * DAY ? 2 : 3;
    const row = counts[stages.indexOf(c.stage)];
    if (row) row[b] = (row[b] ?? 0) + 1;
  }
  return { stages, counts };
}

/** A table as CSV text (RFC 4180 quoting), for what the server has no CSV of. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  const q = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(q).join(",")).join("\n") + "\n";
}

export function download(blob: Blob, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
