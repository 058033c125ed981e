import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { fieldChoices } from "@/choices";
import { DirectoryViewSchema } from "@/gen/docket/v1/api_pb";
import { Role } from "@/gen/docket/v1/common_pb";
import { CaseStateSchema } from "@/gen/docket/v1/state_pb";

const directory = create(DirectoryViewSchema, {
  branches: [
    { id: "GZ", name: "广州分公司", regionId: "SOUTH" },
    { id: "ZHUHAI", name: "珠海分公司", regionId: "SOUTH" },
  ],
  principals: [
    { id: "E-100", name: "王芳", role: Role.HANDLER },
    { id: "E-101", name: "离职", role: Role.HANDLER, revoked: true },
    { id: "adapter-phone", name: "电话热线", role: Role.ADAPTER },
    { id: "S-ZH", name: "李经理", role: Role.SUPERVISOR },
  ],
});

describe("fieldChoices", () => {
  it("offers a task group the people, and the departments the case involves first", () => {
    const c = fieldChoices("form_task_group", create(CaseStateSchema, { departments: ["legal", "理赔处"] }), directory);
    expect(c.members?.map((p) => p.value)).toEqual(["E-100", "S-ZH"]);
    const departments = c.departments?.map((d) => d.value) ?? [];
    expect(departments.slice(0, 2)).toEqual(["legal", "理赔处"]);
    expect(c.departments?.[0]?.label).toBe("legal（本案涉及）");
    expect(departments.filter((d) => d === "理赔处")).toHaveLength(1);
    expect(departments).toContain("法务");
  });

  it("offers the directory's branches and its people, not adapters nor the revoked, for findings", () => {
    const c = fieldChoices("conclude_investigation", create(CaseStateSchema), directory);
    expect(c.internal_branch).toEqual([
      { value: "GZ", label: "广州分公司（GZ）" },
      { value: "ZHUHAI", label: "珠海分公司（ZHUHAI）" },
    ]);
    expect(c.internal_employee?.map((p) => p.value)).toEqual(["E-100", "S-ZH"]);
  });

  it("offers a penalty the branch the findings name, and only the penalties not yet executed", () => {
    const state = create(CaseStateSchema, {
      findings: { internalBranch: "GZ" },
      penalties: [
        { penalty: { penaltyId: "P-1", measure: "fine" }, executed: true },
        { penalty: { penaltyId: "P-2", measure: "warning" } },
      ],
    });
    expect(fieldChoices("decide_penalty", state, directory).party_branch).toEqual([{ value: "GZ", label: "广州分公司（GZ）" }]);
    expect(fieldChoices("execute_penalty", state, directory).penalty_id).toEqual([{ value: "P-2", label: "P-2 · warning" }]);
  });

  it("offers nothing where the form has no such field, and works before the directory is loaded", () => {
    expect(fieldChoices("acknowledge", create(CaseStateSchema), directory)).toEqual({});
    expect(fieldChoices("conclude_investigation", create(CaseStateSchema), null).internal_branch).toEqual([]);
  });
});
