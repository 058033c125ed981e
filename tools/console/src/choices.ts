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
    case "open_investigation":
      out.investigator = people;
      break;
    case "form_task_group":
      out.lead = people;
      break;
    case "decide_penalty": {
      const f = state.findings;
      const branch = directory?.branches.find((b) => b.id === f?.internalBranch);
      if (f?.internalBranch) out.party_branch = [named(f.internalBranch, branch?.name ?? "")];
      if (f?.internalEmployee) out.party_employee = [named(f.internalEmployee, "")];
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
