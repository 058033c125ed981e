import { describe, expect, test } from "vitest";
import { toJson } from "@bufbuild/protobuf";
import { CommandSchema } from "@/gen/docket/v1/commands_pb";
import { buildCommand, commandKindOf, commandKinds, emptyValues, formSpec, missingRequired, type FormValues } from "@/commands";

describe("command forms from the schema", () => {
  test("every command kind of the schema is known", () => {
    expect(commandKinds()).toEqual(expect.arrayContaining(["acknowledge", "accept", "propose_resolution", "archive", "attach_evidence", "approve_compensation"]));
  });

  test("the fields the schema marks required are marked in the form, nested ones too", () => {
    const marked = (kind: string) => formSpec(kind).filter((s) => s.required).map((s) => s.name);
    expect(marked("record_follow_up")).toEqual(["method", "satisfaction"]);
    expect(marked("propose_resolution")).toEqual([]);
    const group = formSpec("form_task_group")[0];
    expect(group?.required).toBe(true);
    expect(group?.fields?.filter((s) => s.required).map((s) => s.name)).toEqual(["lead"]);
  });

  // An outside walk-through: the task group's form had only its lead (the
  // form dropped lists of text), so a MAJOR case never reached a proposal.
  test("a task group: its members and departments are lists, typed or picked", () => {
    const group = formSpec("form_task_group")[0]!;
    expect(group.fields?.map((s) => [s.name, s.kind])).toEqual([
      ["lead", "text"],
      ["members", "textList"],
      ["departments", "textList"],
    ]);
    const values = emptyValues(formSpec("form_task_group"));
    const tg = values.task_group as FormValues;
    tg.lead = "E-200";
    tg.members = ["E-100", "  ", " E-101 "];
    tg.departments = ["理赔处"];
    const c = buildCommand({ kind: "form_task_group", caseId: "C-1", actorId: "S-GZ", values, commandId: "x" });
    expect(toJson(CommandSchema, c)).toMatchObject({
      formTaskGroup: { taskGroup: { lead: "E-200", members: ["E-100", "E-101"], departments: ["理赔处"] } },
    });
    expect(formSpec("accept").find((s) => s.name === "departments")?.kind).toBe("textList");
  });

  // Sent without them, the step is refused and the refusal stays on record.
  test("the required fields a form leaves empty are named before anything is sent", () => {
    const followUp = formSpec("record_follow_up");
    const v = emptyValues(followUp);
    expect(missingRequired(followUp, v)).toEqual(["method", "satisfaction"]);
    v.method = "FOLLOW_UP_METHOD_PHONE";
    v.satisfaction = 4;
    expect(missingRequired(followUp, v)).toEqual([]);
    const tg = formSpec("form_task_group");
    const empty = emptyValues(tg);
    expect(missingRequired(tg, empty)).toEqual(["task_group.lead"]);
    (empty.task_group as FormValues).lead = "  ";
    expect(missingRequired(tg, empty)).toEqual(["task_group.lead"]);
    (empty.task_group as FormValues).lead = "E-200";
    expect(missingRequired(tg, empty)).toEqual([]);
  });

  test("a proposal: goodwill in 元 becomes fen; the remedy a paragraph", () => {
    const spec = formSpec("propose_resolution");
    expect(spec.map((s) => [s.name, s.kind])).toEqual([
      ["goodwill_fen", "money"],
      ["remedy", "longText"],
    ]);
    const values = emptyValues(spec);
    values.goodwill_fen = 12.5;
    values.remedy = "apology";
    const c = buildCommand({ kind: "propose_resolution", caseId: "C-1", actorId: "E-100", expectedRevision: 7n, values, commandId: "x" });
    expect(toJson(CommandSchema, c)).toEqual({
      commandId: "x",
      caseId: "C-1",
      expectedRevision: "7",
      actor: { id: "E-100" },
      proposeResolution: { goodwillFen: "1250", remedy: "apology" },
    });
    expect(commandKindOf(c)).toBe("propose_resolution");
  });

  test("nested messages and enums: findings of an investigation", () => {
    const spec = formSpec("conclude_investigation");
    const values = emptyValues(spec);
    const findings = values.findings as Record<string, unknown>;
    findings.responsible = "RESPONSIBLE_PARTY_INTERNAL";
    findings.internal_branch = "GZ";
    findings.assessed_loss_fen = 48.2;
    const c = buildCommand({ kind: "conclude_investigation", caseId: "C-1", actorId: "E-100", values, commandId: "y" });
    expect(toJson(CommandSchema, c)).toMatchObject({
      concludeInvestigation: { findings: { responsible: "RESPONSIBLE_PARTY_INTERNAL", internalBranch: "GZ", assessedLossFen: "4820" } },
    });
  });

  test("a time typed in a form is China Standard Time's", () => {
    const spec = formSpec("send_progress_notice");
    const values = emptyValues(spec);
    values.expected_completion_at = "2026-11-30 18:00:00";
    const c = buildCommand({ kind: "send_progress_notice", caseId: "C-1", actorId: "E-100", values, commandId: "t" });
    expect(toJson(CommandSchema, c)).toMatchObject({ sendProgressNotice: { expectedCompletionAt: "2026-11-30T10:00:00Z" } });
  });

  test("an empty form is an empty body, and the id is fresh", () => {
    const a = buildCommand({ kind: "archive", caseId: "C-1", actorId: "E-100", values: emptyValues(formSpec("archive")) });
    const b = buildCommand({ kind: "archive", caseId: "C-1", actorId: "E-100", values: emptyValues(formSpec("archive")) });
    expect(toJson(CommandSchema, a)).toMatchObject({ archive: {} });
    expect(a.commandId).not.toBe(b.commandId);
  });
});
