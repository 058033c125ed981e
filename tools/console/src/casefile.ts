// A case file for auditors: the state, the full history with its chain (as
// the server sent them, in proto3 JSON) and this browser's re-check.
import { toJson } from "@bufbuild/protobuf";
import { CaseHistorySchema, type CaseHistory } from "@/gen/docket/v1/api_pb";
import { CaseStateSchema, type CaseState } from "@/gen/docket/v1/state_pb";
import type { LinkCheck } from "./chain";

export function caseFile(state: CaseState, history: CaseHistory, checks: LinkCheck[], exportedBy: string, at: Date) {
  return {
    format: "docket.case-file.v1",
    caseId: state.caseId,
    exportedAt: at.toISOString(),
    exportedBy,
    chainVerifiedInBrowser: checks.length === history.entries.length && checks.every((c) => c === "ok"),
    links: history.entries.map((e, i) => ({ revision: e.revision.toString(), hashHex: e.hashHex, serverVerified: e.linkVerified, browser: checks[i] ?? "missing" })),
    state: toJson(CaseStateSchema, state),
    history: toJson(CaseHistorySchema, history),
  };
}
