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

/** One series per value of `by`, over the sorted values of `x`. */
export function pivot(rows: Row[], x: string, by: string, metric: string): Pivot {
  const xs = [...new Set(rows.map((r) => r[x] ?? ""))].sort();
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

/** One metric over one dimension. */
export function column(rows: Row[], x: string, metric: string): { x: string[]; data: (number | null)[] } {
  const sorted = [...rows].sort((a, b) => (a[x] ?? "").localeCompare(b[x] ?? ""));
  return { x: sorted.map((r) => r[x] ?? ""), data: sorted.map((r) => num(r[metric])) };
}

export const AGE_BUCKETS = ["d1", "d3", "d7", "older"] as const;
const DAY = 86_400_000;

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
