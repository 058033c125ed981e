// ==== FIXTURE: how the browser tests get a real docketd ====================
// Set DOCKET_CONSOLE_URL to test a docketd that is already running (nothing
// is started then). Otherwise global-setup.ts starts one:
//   DOCKETCTL  the docketctl binary  (default bazel-bin/tools/docketctl/docketctl)
//   DOCKETD    the docketd binary    (default bazel-bin/services/docketd/docketd)
//   DOCKET_LOAD a shell command that fills $DOCKET_DATA_DIR with the demo
//              organisation and the example cases; by default:
//              docketctl init, docketctl demo-org (ASSUMED name: adjust when
//              the service lands), docketctl submit < examples/seed_cases.ndjson
//   DOCKET_PORT the port (default 18080)
// docketd runs as
//   $DOCKETD --data_dir=DIR --listen=127.0.0.1:PORT --console_dir=tools/console/dist
// The demo logins: DOCKET_<ROLE>_ID and DOCKET_<ROLE>_PASSWORD for HANDLER
// (default E-100, branch ZHUHAI), SUPERVISOR, CLAIMS and AUDITOR; and
// DOCKET_FOREIGN_CASE, a case of another branch than the handler's.
// ===========================================================================
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export const repo = resolve(here, "../../..");
export const consoleDir = resolve(here, "..");

export const server = {
  docketctl: process.env.DOCKETCTL ?? resolve(repo, "bazel-bin/tools/docketctl/docketctl"),
  docketd: process.env.DOCKETD ?? resolve(repo, "bazel-bin/services/docketd/docketd"),
  port: Number(process.env.DOCKET_PORT ?? 18080),
  load:
    process.env.DOCKET_LOAD ??
    '"$DOCKETCTL" --data_dir="$DOCKET_DATA_DIR" init && "$DOCKETCTL" --data_dir="$DOCKET_DATA_DIR" demo-org && "$DOCKETCTL" --data_dir="$DOCKET_DATA_DIR" submit < examples/seed_cases.ndjson',
};

export interface Login {
  id: string;
  password: string;
}
const login = (role: string, id: string): Login => ({
  id: process.env[`DOCKET_${role}_ID`] ?? id,
  password: process.env[`DOCKET_${role}_PASSWORD`] ?? process.env.DOCKET_DEMO_PASSWORD ?? "",
});
export const people = {
  handler: login("HANDLER", "E-100"),
  supervisor: login("SUPERVISOR", "E-200"),
  claims: login("CLAIMS", "E-300"),
  auditor: login("AUDITOR", "A-100"),
};
export const foreignCase = process.env.DOCKET_FOREIGN_CASE ?? "C-2026-0004";
export const photo = resolve(repo, "examples/evidence/acrylic_sign_crack.png");
