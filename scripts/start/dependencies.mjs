// First run: install the dependencies (npm ci when there is a lockfile).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { log, StartError } from "./output.mjs";

export function ensureDependencies(root) {
  if (existsSync(join(root, "node_modules"))) return;
  const args = existsSync(join(root, "package-lock.json")) ? ["ci"] : ["install"];
  log.info(`node_modules is missing: running npm ${args.join(" ")} (first start only)`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  if (result.status !== 0) {
    throw new StartError(
      `npm ${args.join(" ")} failed (${result.error?.message ?? `exit code ${result.status}`}); fix the error above and run npm start again`,
    );
  }
}
