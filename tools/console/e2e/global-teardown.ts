// Stops the docketd that global-setup started (by its pid, nothing else).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { consoleDir } from "./server";

export default async function globalTeardown(): Promise<void> {
  const f = join(consoleDir, "test-results", "docketd.pid");
  if (!existsSync(f)) return;
  const pid = Number(readFileSync(f, "utf8"));
  rmSync(f);
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}
