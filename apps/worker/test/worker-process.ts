// The worker as a real child process (src/main.ts), for tests that stop it with kill -9 or SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { workerEnvFor, type TestApi } from "./flow.ts";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** Starts a worker process on the API's database and queues, with job locks shorter than every step. */
export function startWorkerProcess(api: TestApi, children: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    env: { ...process.env, ...workerEnvFor(api, { WORKER_LOCK_DURATION_MS: "2000", LOG_LEVEL: "warn" }) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(child);
  return child;
}

/** Resolves with the exit code once the process has ended. */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once("exit", (code) => r(code)),
  );

/** Every stored object has a row and every row its object: nothing orphaned, nothing lost. */
export async function storedObjectsMatchRows(api: TestApi): Promise<{ objects: string[]; rows: string[] }> {
  const rows = (await api.db.artifact.findMany({ select: { sha256: true } })).map((a) => a.sha256).sort();
  const objects: string[] = [];
  for await (const sha of api.server.store.list()) objects.push(sha);
  return { objects: objects.sort(), rows };
}

/** A worker process whose JSON log lines (pino, LOG_LEVEL=info) are kept for the test to read. */
export interface LoggedWorker {
  child: ChildProcess;
  /** The hardware profile it measures for. */
  profile: string;
  /** Its log lines so far, parsed. */
  lines(): Record<string, any>[];
}

/** Starts a worker process for `profile` on the API's database, queues and artifact store, keeping its log. */
export function startLoggedWorker(
  api: TestApi,
  profile: string,
  children: ChildProcess[],
  overrides: Record<string, string> = {},
): LoggedWorker {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    env: {
      ...process.env,
      ...workerEnvFor(api, {
        WORKER_LOCK_DURATION_MS: "2000",
        LOG_LEVEL: "info",
        WORKER_HARDWARE_PROFILE: profile,
        ...overrides,
      }),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const lines: Record<string, any>[] = [];
  let rest = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const parts = (rest + chunk.toString("utf8")).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, any>);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  return { child, profile, lines: () => lines };
}
