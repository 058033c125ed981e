import { describe, expect, test } from "vitest";
import { create } from "@bufbuild/protobuf";
import { ApiError, refusalOf } from "@/api";
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
