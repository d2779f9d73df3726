// A second API and dashboard on the e2e stack's database whose clock stands still
// (COSTGATE_FROZEN_NOW), for tests whose screenshots depend on the date: budget periods, spend so
// far and forecasts are then the same every day the suite runs. Same database, Redis and queue
// prefix as the main stack; its own ports, session secret and logs.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "@costgate/testkit";
import { dashboardServer, root, type StackInfo } from "./stack.ts";

export interface FrozenStack {
  apiUrl: string;
  webUrl: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  login(email: string, password: string): Promise<string>;
  stop(): Promise<void>;
}

function start(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logDir: string) {
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, exited, name };
}

async function waitFor(url: string, proc: { child: ChildProcess; name: string }, logDir: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited early: see ${logDir}/${proc.name}.log`);
    const ok = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${proc.name} did not answer ${url} within 60 s: see ${logDir}/${proc.name}.log`);
}

export async function startFrozenStack(info: StackInfo, frozenNow: string): Promise<FrozenStack> {
  const logDir = join(info.logDir, "frozen");
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = start(
    "api",
    ["--import", "tsx", "apps/api/src/main.ts"],
    root,
    {
      ...process.env,
      // Not production: the frozen clock is refused there.
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      DATABASE_URL: info.databaseUrl,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: info.queuePrefix,
      ARTIFACT_DIR: info.artifactDir,
      COSTGATE_SECRET_KEY: randomBytes(32).toString("hex"),
      COSTGATE_SESSION_SECRET: randomBytes(32).toString("hex"),
      COSTGATE_FROZEN_NOW: frozenNow,
      // Tests register webhooks to local receivers.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
      API_PORT: String(apiPort),
      API_HOST: "127.0.0.1",
      // As the main stack's API (stack.ts): one process, no answers served again.
      API_PROCESSES: "1",
      RESPONSE_CACHE_SECONDS: "0",
    },
    logDir,
  );
  const procs = [api];
  const stop = async () => {
    for (const p of procs.reverse()) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
      const kill = setTimeout(() => p.child.kill("SIGKILL"), 10_000);
      await p.exited;
      clearTimeout(kill);
    }
  };
  try {
    await waitFor(`${apiUrl}/healthz`, api, logDir);
    const webPort = await freePort();
    const server = dashboardServer(apiUrl, webPort);
    const web = start("web", server.args, server.cwd, server.env, logDir);
    procs.push(web);
    const webUrl = `http://127.0.0.1:${webPort}`;
    await waitFor(`${webUrl}/login`, web, logDir);
    const gql = async <T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> => {
      const res = await fetch(`${apiUrl}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: unknown[] };
      if (body.errors?.length || !body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors ?? body)}`);
      return body.data;
    };
    const login = async (email: string, password: string) =>
      (
        await gql<{ login: { token: string } }>(
          `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
          { e: email, p: password },
        )
      ).login.token;
    return { apiUrl, webUrl, gql, login, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
