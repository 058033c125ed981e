// ==== FIXTURE: how the browser tests get a real docketd ====================
// Set DOCKET_CONSOLE_URL to test a docketd that is already running (nothing
// is started then; it must hold the data DOCKET_LOAD makes). Otherwise
// global-setup.ts starts one on a new data directory:
//   DOCKETCTL  the docketctl binary  (default bazel-bin/tools/docketctl/docketctl)
//   DOCKETD    the docketd binary    (default bazel-bin/services/docketd/docketd)
//   DOCKET_LOAD a shell command, run in the repository's root with
//              $DOCKETCTL and $DOCKET_DATA_DIR set, that fills the data
//              directory; by default scripts/load_examples.sh (the
//              examples' organisation, demo passwords, evidence and cases,
//              as scripts/run.sh loads them), then the browser tests' own
//              case (e2eCase below), opened now by the phone adapter.
//   DOCKET_PORT the port (default 0: any free one, as docketd prints it)
// docketd runs as
//   $DOCKETD --data_dir=DIR --listen=127.0.0.1:PORT --console_dir=tools/console/dist
// The logins (examples/org.ndjson; password DOCKET_DEMO_PASSWORD, default
// docket-demo): DOCKET_<ROLE>_ID and DOCKET_<ROLE>_PASSWORD for HANDLER
// (E-100, ZHUHAI), BRANCH_SUPERVISOR (S-ZH, the handler's branch),
// SUPERVISOR (E-300, headquarters: reports span every branch), CLAIMS
// (C-100) and AUDITOR; DOCKET_FOREIGN_CASE, a case
// of another branch than the handler's (C-2026-0004, SZ-DIST).
// ===========================================================================
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export const repo = resolve(here, "../../..");
export const consoleDir = resolve(here, "..");

/** The damaged-signs story of the seeds (C-2026-0001), opened afresh for the handler's test. */
export const e2eCase = { id: "C-E2E-0001", waybill: "E2E-345667" };

/** The open_case command of e2eCase, dated `at`, for docketctl submit. */
export function e2eOpenCase(at: Date): string {
  return JSON.stringify({
    commandId: `${e2eCase.id}-001`,
    caseId: e2eCase.id,
    actor: { id: "adapter-phone" },
    occurredAt: at.toISOString(),
    openCase: {
      intake: {
        channel: "CHANNEL_PHONE",
        category: "CATEGORY_DAMAGE",
        customer: { id: "CUST-LI", name: "李先生" },
        shipment: { waybill: e2eCase.waybill, originBranch: "GZ", destinationBranch: "ZHUHAI", weightG: "2410", packaging: "PACKAGING_CARRIER", contents: "two acrylic advertising signs 550x350x150 mm" },
        claimFen: "20000",
        handlingBranch: "ZHUHAI",
        description: "one of two signs broken on unpacking",
      },
    },
  });
}

export const server = {
  docketctl: process.env.DOCKETCTL ?? resolve(repo, "bazel-bin/tools/docketctl/docketctl"),
  docketd: process.env.DOCKETD ?? resolve(repo, "bazel-bin/services/docketd/docketd"),
  port: Number(process.env.DOCKET_PORT ?? 0),
  load:
    process.env.DOCKET_LOAD ??
    'bash scripts/load_examples.sh "$DOCKET_DATA_DIR" && "$DOCKETCTL" --data_dir="$DOCKET_DATA_DIR" submit <<< "$DOCKET_E2E_CASE"',
};

export interface Login {
  id: string;
  password: string;
}
const login = (role: string, id: string): Login => ({
  id: process.env[`DOCKET_${role}_ID`] ?? id,
  password: process.env[`DOCKET_${role}_PASSWORD`] ?? process.env.DOCKET_DEMO_PASSWORD ?? "docket-demo",
});
export const people = {
  handler: login("HANDLER", "E-100"),
  supervisor: login("SUPERVISOR", "E-300"),
  branchSupervisor: login("BRANCH_SUPERVISOR", "S-ZH"),
  claims: login("CLAIMS", "C-100"),
  auditor: login("AUDITOR", "A-100"),
};
export const foreignCase = process.env.DOCKET_FOREIGN_CASE ?? "C-2026-0004";
export const photo = resolve(repo, "examples/evidence/acrylic_sign_crack.png");
