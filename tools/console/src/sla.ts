// SLA badges of a case from its deadlines (pure: the state and a clock in,
// the badges out). The server records warnings and breaches as events; the
// badges also show a mark or a due time that the clock has passed before the
// scanner's next tick, so the queue stays live between ticks.
import { DeadlineKind, Level, Stage, type Deadline } from "@/gen/docket/v1/common_pb";
import type { CaseState } from "@/gen/docket/v1/state_pb";
import { toDate } from "./format";

export type Badge =
  | { kind: "breached"; deadline: DeadlineKind }
  | { kind: "warned"; percent: number; deadline: DeadlineKind }
  | { kind: "paused"; since: Date | undefined }
  | { kind: "level"; level: Level; escalated: boolean }
  | { kind: "onTrack" };

/** Archived, merged or referred: nothing follows. */
export function isClosed(c: CaseState): boolean {
  return c.stage === Stage.ARCHIVED || c.stage === Stage.MERGED || c.stage === Stage.REFERRED;
}

/**
 * The clocks not met yet. A silenced clock is among them: it raises no
 * further warnings or breaches (its last window passed at the top level),
 * but the step it waits for is still owed, and overdue.
 */
export function openDeadlines(c: CaseState): Deadline[] {
  if (isClosed(c)) return [];
  return c.deadlines.filter((d) => !d.met);
}

/** The open deadline due first, or undefined when nothing is due. */
export function nextDeadline(c: CaseState): Deadline | undefined {
  let best: Deadline | undefined;
  for (const d of openDeadlines(c)) {
    const due = toDate(d.dueAt);
    if (!due) continue;
    if (!best || due < (toDate(best.dueAt) as Date)) best = d;
  }
  return best;
}

export function isOverdue(d: Deadline, now: Date): boolean {
  if (d.met) return false;
  if (d.breached) return true;
  const due = toDate(d.dueAt);
  return !d.pausedSince && due !== undefined && now > due;
}

/** The highest warning mark passed: recorded by the scanner, or passed on the clock since. */
export function warnedPercent(d: Deadline, now: Date): number {
  let p = Math.max(0, ...d.warnedPercent);
  if (!d.pausedSince) {
    for (const m of d.marks) {
      const at = toDate(m.at);
      if (at && now >= at) p = Math.max(p, m.percent);
    }
  }
  return p;
}

export function badges(c: CaseState, now: Date): Badge[] {
  const out: Badge[] = [];
  const open = openDeadlines(c);
  const breached = open.filter((d) => isOverdue(d, now));
  for (const d of breached) out.push({ kind: "breached", deadline: d.kind });
  if (breached.length === 0) {
    let worst: { percent: number; deadline: DeadlineKind } | undefined;
    for (const d of open) {
      const p = warnedPercent(d, now);
      if (p > 0 && (!worst || p > worst.percent)) worst = { percent: p, deadline: d.kind };
    }
    if (worst) out.push({ kind: "warned", ...worst });
  }
  const paused = open.find((d) => d.pausedSince);
  if (paused || (c.awaitingCustomer && !isClosed(c))) {
    out.push({ kind: "paused", since: toDate(paused?.pausedSince ?? c.awaitingSince) });
  }
  if (c.handlingLevel > Level.BRANCH) {
    out.push({ kind: "level", level: c.handlingLevel, escalated: c.deadlines.some((d) => d.breachCount > 0 || d.breached) });
  }
  if (out.length === 0 && open.length > 0) out.push({ kind: "onTrack" });
  return out;
}
