// What a form's free-text fields may be picked from: the branches and
// people of the directory, the case's own findings and penalties. Only a
// help to typing: the engine decides what it accepts (a penalty's branch
// must be the findings', an executed penalty one decided on the case),
// and a value not listed may still be typed.
import type { DirectoryView } from "@/gen/docket/v1/api_pb";
import { Role } from "@/gen/docket/v1/common_pb";
import type { CaseState } from "@/gen/docket/v1/state_pb";

export interface Choice {
  value: string;
  label: string;
}
export type Choices = Record<string, Choice[]>;

const PEOPLE = new Set([Role.HANDLER, Role.SUPERVISOR, Role.CLAIMS]);

// The departments a complaint may involve (物流企业各职能部门, the seed's
// posts): suggestions, any other may be typed.
const DEPARTMENTS: Choice[] = ["客服部", "投诉处理", "理赔处", "法务", "呼叫中心", "运营", "配送", "大客户支持处"].map((d) => ({ value: d, label: d }));

// Said after a department the case itself involves.
const INVOLVED = "（本案涉及）";

const named = (id: string, name: string): Choice => ({ value: id, label: name ? `${name}（${id}）` : id });

/** Choices by proto field name for the form of command `kind` on `state`. */
export function fieldChoices(kind: string, state: CaseState, directory: DirectoryView | null): Choices {
  const branches = (directory?.branches ?? []).map((b) => named(b.id, b.name));
  const people = (directory?.principals ?? []).filter((p) => PEOPLE.has(p.role) && !p.revoked).map((p) => named(p.id, p.name));
  const out: Choices = {};
  switch (kind) {
    case "conclude_investigation":
      out.internal_branch = branches;
      out.internal_employee = people;
      break;
    case "accept":
      out.departments = DEPARTMENTS;
      break;
    case "open_investigation":
      out.investigator = people;
      break;
    case "form_task_group": {
      out.lead = people;
      out.members = people;
      // The departments the complaint involves first: the group must bring them together.
      const involved = state.departments.map((d) => ({ value: d, label: `${d}${INVOLVED}` }));
      out.departments = [...involved, ...DEPARTMENTS.filter((d) => !state.departments.includes(d.value))];
      break;
    }
    case "decide_penalty": {
      // The one the findings name, by its name where the directory has it.
      const only = (id: string | undefined, among: Choice[]) => (id ? [among.find((c) => c.value === id) ?? named(id, "")] : undefined);
      const party_branch = only(state.findings?.internalBranch, branches);
      const party_employee = only(state.findings?.internalEmployee, people);
      if (party_branch) out.party_branch = party_branch;
      if (party_employee) out.party_employee = party_employee;
      break;
    }
    case "execute_penalty":
      out.penalty_id = state.penalties
        .filter((p) => !p.executed && p.penalty)
        .map((p) => ({ value: p.penalty!.penaltyId, label: `${p.penalty!.penaltyId} · ${p.penalty!.measure}` }));
      break;
  }
  return out;
}
