// Stops the docketd that global-setup started (by its pid, nothing else)
// and removes its data directory.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { consoleDir } from "./server";

async function stopped(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export default async function globalTeardown(): Promise<void> {
  const pidFile = join(consoleDir, "test-results", "docketd.pid");
  const dirFile = join(consoleDir, "test-results", "docketd.dir");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8"));
    rmSync(pidFile);
    try {
      process.kill(pid, "SIGTERM");
      if (!(await stopped(pid, 10_000))) process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  if (existsSync(dirFile)) {
    rmSync(readFileSync(dirFile, "utf8"), { recursive: true, force: true });
    rmSync(dirFile);
  }
}
