// Starts the stack (stack-main.ts, under tsx) before the tests and stops it after them.
// The tests read what it made from COSTGATE_E2E_STACK (see fixtures.ts).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { FullConfig } from "@playwright/test";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", join(here, "stack-main.ts")], {
    cwd: root,
    env: process.env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const info = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith("STACK_READY ")) resolve(line.slice("STACK_READY ".length));
      else process.stderr.write(`${line}\n`);
    });
    void exited.then((code) =>
      reject(
        new Error(
          `the e2e stack exited with code ${code} before it was ready (see the lines above and e2e/artifacts/logs/)`,
        ),
      ),
    );
  });
  process.env.COSTGATE_E2E_STACK = info;
  console.log(`[e2e] stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  };
}
