import { describe, expect, test } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DeadlineKind, DeadlineSchema, Level, Stage } from "@/gen/docket/v1/common_pb";
import { CaseStateSchema } from "@/gen/docket/v1/state_pb";
import { badges, nextDeadline, warnedPercent } from "@/sla";

const T0 = new Date("2026-11-02T01:00:00Z");
const h = (n: number) => new Date(T0.getTime() + n * 3_600_000);
const ts = (d: Date) => timestampFromDate(d);

function deadline(kind: DeadlineKind, dueHours: number, extra: MessageInitShape<typeof DeadlineSchema> = {}) {
  return create(DeadlineSchema, {
    kind,
    startedAt: ts(T0),
    dueAt: ts(h(dueHours)),
    marks: [
      { percent: 50, at: ts(h(dueHours / 2)) },
      { percent: 75, at: ts(h((dueHours * 3) / 4)) },
    ],
    ...extra,
  });
}

function caseWith(deadlines: ReturnType<typeof deadline>[], more: Record<string, unknown> = {}) {
  return create(CaseStateSchema, { caseId: "C-1", stage: Stage.RESOLVING, handlingLevel: Level.BRANCH, deadlines, ...more });
}

describe("SLA badges", () => {
  test("on track before the first mark", () => {
    expect(badges(caseWith([deadline(DeadlineKind.RESOLUTION, 8)]), h(1))).toEqual([{ kind: "onTrack" }]);
  });

  test("warned at 50 % and 75 %, from the marks or the scanner's record", () => {
    const c = caseWith([deadline(DeadlineKind.RESOLUTION, 8)]);
    expect(badges(c, h(4.5))).toEqual([{ kind: "warned", percent: 50, deadline: DeadlineKind.RESOLUTION }]);
    expect(badges(c, h(6.5))).toEqual([{ kind: "warned", percent: 75, deadline: DeadlineKind.RESOLUTION }]);
    const recorded = caseWith([deadline(DeadlineKind.REPLY, 8, { warnedPercent: [50] })]);
    expect(warnedPercent(recorded.deadlines[0]!, h(1))).toBe(50);
  });

  test("breached past the due time or when recorded, per clock", () => {
    const c = caseWith([deadline(DeadlineKind.FIRST_RESPONSE, 2), deadline(DeadlineKind.RESOLUTION, 72, { breached: true })]);
    expect(badges(c, h(3))).toEqual([
      { kind: "breached", deadline: DeadlineKind.FIRST_RESPONSE },
      { kind: "breached", deadline: DeadlineKind.RESOLUTION },
    ]);
  });

  test("paused while waiting for the customer, and not overdue meanwhile", () => {
    const c = caseWith([deadline(DeadlineKind.RESOLUTION, 2, { pausedSince: ts(h(1)) })], { awaitingCustomer: true, awaitingSince: ts(h(1)) });
    expect(badges(c, h(5))).toEqual([{ kind: "paused", since: h(1) }]);
  });

  test("the level above a branch, escalated when a clock was breached", () => {
    const c = caseWith([deadline(DeadlineKind.RESOLUTION, 72, { breachCount: 1, windowNumber: 2 })], { handlingLevel: Level.REGION });
    expect(badges(c, h(1))).toContainEqual({ kind: "level", level: Level.REGION, escalated: true });
  });

  test("met clocks and closed cases show nothing", () => {
    expect(badges(caseWith([deadline(DeadlineKind.RESOLUTION, 1, { met: true })]), h(5))).toEqual([]);
    for (const stage of [Stage.ARCHIVED, Stage.MERGED, Stage.REFERRED]) {
      expect(badges(caseWith([deadline(DeadlineKind.RESOLUTION, 1)], { stage }), h(5))).toEqual([]);
    }
  });

  test("a silenced clock (no more warnings) stays breached until it is met", () => {
    const c = caseWith([deadline(DeadlineKind.RESOLUTION, 1, { breached: true, breachCount: 2, silenced: true })]);
    expect(badges(c, h(5))).toEqual([{ kind: "breached", deadline: DeadlineKind.RESOLUTION }]);
    expect(nextDeadline(c)?.kind).toBe(DeadlineKind.RESOLUTION);
  });

  test("the next deadline is the open one due first", () => {
    const c = caseWith([deadline(DeadlineKind.REGULATORY_RESULT, 168), deadline(DeadlineKind.FIRST_RESPONSE, 4, { met: true }), deadline(DeadlineKind.RESOLUTION, 72)]);
    expect(nextDeadline(c)?.kind).toBe(DeadlineKind.RESOLUTION);
  });
});
