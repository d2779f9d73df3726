// The API as a child process (`tsx apps/api/src/main.ts`), for the tests of another app (the
// worker): they drive the API over HTTP like any internal tool, without importing its code.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createArtifactStore, type ArtifactStore } from "@costgate/artifacts";
import { parseArtifactStoreEnv } from "@costgate/config";
import { createDb } from "@costgate/db";
import type { ApiStarter, RunningApi } from "./test-api.ts";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const apiDir = join(repoRoot, "apps", "api");

/** The API process, and clients of the same database, Redis and artifact store as it. */
export interface ApiProcess extends RunningApi {
  redis: Redis;
  store: ArtifactStore;
  /** The API's process (to signal it), how it ended, and the last 20 kB of its output. */
  process: ChildProcess;
  exited: Promise<ProcessEnd>;
  output(): string;
}

/** How a process ended: its exit code, or the signal that killed it. */
interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the API in its own process and waits until /healthz answers (60 s at most). Its clock
 * is real time: TestApi.setNow has no effect on it. Output is kept and shown if it fails to start.
 */
export const startApiProcess: ApiStarter<ApiProcess> = async (env) => {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: apiDir,
    env: { ...process.env, ...env, API_HOST: "127.0.0.1", API_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<ProcessEnd>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  let exitCode: number | undefined;
  void exited.then(({ code, signal }) => (exitCode = code ?? (signal ? 128 : 1)));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the API exited with code ${exitCode} before answering:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the API did not answer ${url}/healthz within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const db = createDb(env.DATABASE_URL);
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const store = createArtifactStore(parseArtifactStoreEnv(env));
  return {
    url,
    db,
    redis,
    store,
    process: child,
    exited,
    output: () => output,
    async close() {
      await db.$disconnect();
      redis.disconnect();
      if (exitCode === undefined) {
        child.kill("SIGTERM");
        const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(kill);
      }
    },
  };
};
