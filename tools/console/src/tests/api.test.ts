import { describe, expect, test } from "vitest";
import { create } from "@bufbuild/protobuf";
import { ApiError, decidedRefusal, refusalOf } from "@/api";
import { RejectionSchema, Rule } from "@/gen/docket/v1/rejection_pb";

describe("refusalOf", () => {
  test("a refused call gives its Rejection, to show the handler why", () => {
    const rejection = create(RejectionSchema, { rule: Rule.SCOPE, reason: "case C-1 is not in your branches" });
    expect(refusalOf(new ApiError(403, rejection))).toBe(rejection);
  });

  test("anything else is not a refusal: it is thrown on", () => {
    const bug = new TypeError("x is undefined");
    expect(() => refusalOf(bug)).toThrow(bug);
  });
});

describe("decidedRefusal", () => {
  const refused = (status: number, rule: Rule) =>
    new ApiError(status, create(RejectionSchema, { rule, commandId: "c-1", reason: "why" }));

  test("a command refused by a rule is an outcome, whatever its status", () => {
    for (const [status, rule] of [
      [409, Rule.STEP_ORDER],
      [403, Rule.SCOPE],
      [404, Rule.UNKNOWN_CASE],
      [400, Rule.MALFORMED_COMMAND],
      [503, Rule.LINK],
    ] as const) {
      expect(decidedRefusal(refused(status, rule))?.rule).toBe(rule);
    }
  });

  test("what was not decided is not: an expired session, an unavailable server, a bug", () => {
    expect(decidedRefusal(refused(401, Rule.UNAUTHENTICATED))).toBeNull();
    expect(decidedRefusal(refused(503, Rule.UNSPECIFIED))).toBeNull();
    expect(decidedRefusal(new ApiError(0, create(RejectionSchema, { code: "UNAVAILABLE" })))).toBeNull();
    expect(decidedRefusal(new TypeError("x is undefined"))).toBeNull();
  });
});
