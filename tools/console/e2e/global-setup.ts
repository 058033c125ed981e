// Starts docketd on a fresh data directory with the demo data (see server.ts),
// unless DOCKET_CONSOLE_URL points at one that runs already. docketd's
// output goes to test-results/docketd.log.
import { spawn, execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleDir, e2eOpenCase, repo, server } from "./server";

const results = join(consoleDir, "test-results");

// The URL docketd prints once it listens ("docketd: serving http://..."),
// then its /readyz answering 200.
async function ready(ms: number, exited: () => string | null): Promise<string> {
  const end = Date.now() + ms;
  const log = () => readFileSync(join(results, "docketd.log"), "utf8");
  let url = "";
  while (Date.now() < end) {
    const why = exited();
    if (why) throw new Error(`docketd exited before it was ready (${why}):\n${log()}`);
    url ||= /serving (https?:\/\/\S+)/.exec(log())?.[1] ?? "";
    try {
      if (url && (await fetch(`${url}/readyz`)).ok) return url;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`docketd not ready after ${ms} ms:\n${log()}`);
}

export default async function globalSetup(): Promise<void> {
  if (process.env.DOCKET_CONSOLE_URL) return;
  mkdirSync(results, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "docket-e2e-"));
  writeFileSync(join(results, "docketd.dir"), dir);
  // The test case is opened a minute ago: its steps are dated now, and a step
  // may not be dated before the case's last event.
  const env = { ...process.env, DOCKETCTL: server.docketctl, DOCKET_DATA_DIR: join(dir, "data"), DOCKET_E2E_CASE: e2eOpenCase(new Date(Date.now() - 60_000)) };
  execSync(server.load, { cwd: repo, env, stdio: ["ignore", "ignore", "inherit"], shell: "/bin/bash" });
  const log = openSync(join(results, "docketd.log"), "w");
  const child = spawn(server.docketd, [`--data_dir=${env.DOCKET_DATA_DIR}`, `--listen=127.0.0.1:${server.port}`, `--console_dir=${join(consoleDir, "dist")}`], {
    cwd: repo,
    stdio: ["ignore", log, log],
  });
  let exit: string | null = null;
  child.on("exit", (code, signal) => (exit = `code ${code}, signal ${signal}`));
  writeFileSync(join(results, "docketd.pid"), String(child.pid));
  process.env.DOCKET_CONSOLE_URL = await ready(30_000, () => exit);
}
