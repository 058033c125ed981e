// Starts docketd on a fresh data directory with the demo data (see server.ts),
// unless DOCKET_CONSOLE_URL points at one that runs already.
import { spawn, execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleDir, repo, server } from "./server";

async function ready(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`docketd at ${url} not ready after ${ms} ms`);
}

export default async function globalSetup(): Promise<void> {
  if (process.env.DOCKET_CONSOLE_URL) return;
  const dir = mkdtempSync(join(tmpdir(), "docket-e2e-"));
  const env = { ...process.env, DOCKETCTL: server.docketctl, DOCKET_DATA_DIR: dir };
  execSync(server.load, { cwd: repo, env, stdio: "inherit", shell: "/bin/bash" });
  const url = `http://127.0.0.1:${server.port}`;
  const child = spawn(server.docketd, [`--data_dir=${dir}`, `--listen=127.0.0.1:${server.port}`, `--console_dir=${join(consoleDir, "dist")}`], {
    cwd: repo,
    stdio: ["ignore", "inherit", "inherit"],
  });
  mkdirSync(join(consoleDir, "test-results"), { recursive: true });
  writeFileSync(join(consoleDir, "test-results", "docketd.pid"), String(child.pid), { flag: "w" });
  process.env.DOCKET_CONSOLE_URL = url;
  await ready(url, 30_000);
}
