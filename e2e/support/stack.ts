// The real Costgate stack for the e2e suite and the page benchmark, isolated from a developer's
// `npm start`: its own PostgreSQL database (cloned from the migrated template), its own queue
// prefix on the real Redis, its own artifact folder and free ports. Runs under tsx (it imports
// the workspace packages); Playwright's global setup runs it as a child process (stack-main.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, createTestDatabase, seedDatabase, type TestDatabase } from "@costgate/db";
import { freePort } from "@costgate/testkit";
import { Redis } from "ioredis";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const webDir = join(root, "apps", "web");
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");

const ADMIN = { email: "admin@e2e.costgate.test", password: "e2e-admin-password-123" };
const PASSWORD = "e2e-user-password-123";
const ROLES = ["ADMIN", "FINANCE", "ML_ENGINEER", "VIEWER"] as const;
type Role = (typeof ROLES)[number];

export interface StackInfo {
  apiUrl: string;
  webUrl: string | null;
  databaseUrl: string;
  databaseName: string;
  queuePrefix: string;
  artifactDir: string;
  logDir: string;
  teamId: string;
  /** One user per role in the team (the ADMIN is the seed's, in no team). */
  users: Record<Role, { email: string; password: string }>;
}

export interface StackOptions {
  worker?: boolean;
  web?: boolean;
  /** Where the processes' logs go (api.log, worker.log, web.log, web-build.log). */
  logDir: string;
  /** Extra environment for the API process. */
  apiEnv?: Record<string, string>;
  /** Extra environment for the worker process (e.g. the measurement settings of a benchmark). */
  workerEnv?: Record<string, string>;
  /**
   * Runs on the new, seeded database before any service starts (bulk data for the benchmark);
   * may return another URL for the API to use (a counting proxy in front of the same database).
   */
  beforeServices?: (databaseUrl: string) => Promise<{ apiDatabaseUrl?: string } | void>;
  log?: (line: string) => void;
}

export interface Stack {
  info: StackInfo;
  /** The environment the API and worker were started with (database, Redis, queue prefix, artifacts, secret key). */
  shared: Record<string, string | undefined>;
  /** Runs a GraphQL operation against the API as the user with this token; throws on errors. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  adminToken: string;
  /** The process id of a running service (api, worker, web), for benchmarks that read its memory. */
  pid(name: string): number | undefined;
  stop(): Promise<void>;
}

interface Service {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** The dashboard's production server (apps/web/server.mjs) on `port`, talking to the API at `apiUrl`. */
export function dashboardServer(apiUrl: string, port: number) {
  return {
    args: [join(webDir, "server.mjs"), "--port", String(port), "--hostname", "127.0.0.1"],
    cwd: webDir,
    // apps/web/src/lib/config.ts reads API_URL first, then COSTGATE_API_URL (base URL or /graphql):
    // set both so a developer's own values in the environment cannot point it elsewhere.
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      API_URL: apiUrl,
      COSTGATE_API_URL: apiUrl,
      COSTGATE_COOKIE_SECURE: "0",
      PORT: String(port),
    },
  };
}

function startService(
  name: string,
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logDir: string },
): Service {
  const logFile = createWriteStream(join(opts.logDir, `${name}.log`), { flags: "a" });
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(logFile, { end: false });
  child.stderr!.pipe(logFile, { end: false });
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  return { name, child, exited };
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

/** Polls `url` until it answers (any status below 500), the service exits, or the timeout passes. */
async function waitForHttp(service: Service, url: string, logDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void service.exited.then((code) => (exitCode = code ?? -1));
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(
        `${service.name} exited with code ${exitCode} before answering ${url}. Last lines of ${join(logDir, `${service.name}.log`)}:\n${tail(join(logDir, `${service.name}.log`))}`,
      );
    }
    try {
      const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `${service.name} did not answer ${url} within ${timeoutMs / 1000} s. Last lines of its log:\n${tail(join(logDir, `${service.name}.log`))}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopService(service: Service): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill("SIGTERM");
  const killed = setTimeout(() => service.child.kill("SIGKILL"), 10_000);
  await service.exited;
  clearTimeout(killed);
}

/** Newest modification time among the web app's sources (not .next, not node_modules). */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === ".next" || entry.name === "node_modules" || entry.name === ".turbo") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `next build` when there is no production build or the sources changed since it was made
 * (COSTGATE_E2E_REBUILD=1 forces one). Returns whether it built.
 */
async function ensureWebBuild(logDir: string, log: (line: string) => void): Promise<boolean> {
  const buildId = join(webDir, ".next", "BUILD_ID");
  const fresh =
    existsSync(buildId) &&
    statSync(buildId).mtimeMs >= newestSourceMtime(webDir) &&
    process.env.COSTGATE_E2E_REBUILD !== "1";
  if (fresh) return false;
  log("building the web app (next build)");
  const started = Date.now();
  const build = startService("web-build", process.execPath, [nextBin, "build"], {
    cwd: webDir,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    logDir,
  });
  const code = await build.exited;
  if (code !== 0)
    throw new Error(
      `next build failed (exit ${code}). Last lines of ${join(logDir, "web-build.log")}:\n${tail(join(logDir, "web-build.log"), 60)}`,
    );
  log(`web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

async function graphql<T>(
  apiUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data)
    throw new Error(`GraphQL ${query.trim().split(/[({]/)[0]}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/** The queues' keys of this run (BullMQ keeps them under `<prefix>:`). */
async function dropQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? ((line: string) => console.log(`[stack] ${line}`));
  mkdirSync(opts.logDir, { recursive: true });
  const services: Service[] = [];
  let database: TestDatabase | undefined;
  const artifactDir = mkdtempSync(join(tmpdir(), "costgate-e2e-artifacts-"));
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const queuePrefix = `costgate-e2e-${randomBytes(4).toString("hex")}`;

  const stop = async () => {
    for (const service of [...services].reverse()) await stopService(service);
    services.length = 0;
    if (database) await database.drop().catch((e) => log(`could not drop ${database!.name}: ${(e as Error).message}`));
    database = undefined;
    rmSync(artifactDir, { recursive: true, force: true });
    await dropQueueKeys(redisUrl, queuePrefix).catch((e) =>
      log(`could not delete the ${queuePrefix}:* Redis keys: ${(e as Error).message}`),
    );
  };

  try {
    const wantWeb = opts.web !== false;
    if (wantWeb && !existsSync(join(webDir, "package.json")))
      throw new Error(`the dashboard is missing: ${join(webDir, "package.json")} does not exist`);
    // The web build takes the longest: run it while the database and the API come up.
    const building = wantWeb ? ensureWebBuild(opts.logDir, log) : Promise.resolve(false);
    building.catch(() => {});

    database = await createTestDatabase();
    const db = createDb(database.url, { maxConnections: 2 });
    try {
      await seedDatabase(db, { adminEmail: ADMIN.email, adminPassword: ADMIN.password, demo: false });
    } finally {
      await db.$disconnect();
    }

    const prepared = (await opts.beforeServices?.(database.url)) ?? {};

    const shared = {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: process.env.COSTGATE_E2E_LOG_LEVEL ?? "info",
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      ARTIFACT_DIR: artifactDir,
      // Required by the API and the worker in production (≥ 32 chars): the key that encrypts
      // stored secrets (webhook signing secrets). Both processes must share it.
      COSTGATE_SECRET_KEY: randomBytes(32).toString("hex"),
      // One API process, and no answers served again: fixtures are written into the database
      // behind the API's back and must show on the next page load.
      API_PROCESSES: "1",
      RESPONSE_CACHE_SECONDS: "0",
    };

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = startService("api", process.execPath, ["--import", "tsx", "apps/api/src/main.ts"], {
      cwd: root,
      env: {
        ...shared,
        API_PORT: String(apiPort),
        API_HOST: "127.0.0.1",
        COSTGATE_SESSION_SECRET: randomBytes(32).toString("hex"),
        ...(prepared.apiDatabaseUrl ? { DATABASE_URL: prepared.apiDatabaseUrl } : {}),
        ...opts.apiEnv,
      },
      logDir: opts.logDir,
    });
    services.push(api);

    if (opts.worker !== false) {
      services.push(
        startService("worker", process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
          cwd: root,
          env: {
            ...shared,
            COSTGATE_TF_BACKEND: process.env.COSTGATE_TF_BACKEND ?? "wasm",
            // Short measurements, with enough rounds for a comparison's interval to mean something.
            MEASURE_MIN_RUNS: "30",
            MEASURE_MIN_TIME_MS: "1200",
            MEASURE_ROUNDS: "10",
            WORKER_METRICS_PORT: "0",
            ...opts.workerEnv,
          },
          logDir: opts.logDir,
        }),
      );
    }
    await waitForHttp(api, `${apiUrl}/healthz`, opts.logDir, 60_000);
    log(`API on ${apiUrl} (database ${database.name}, queue prefix ${queuePrefix})`);

    const { login } = await graphql<{ login: { token: string } }>(
      apiUrl,
      `
        mutation ($e: String!, $p: String!) {
          login(email: $e, password: $p) {
            token
          }
        }
      `,
      { e: ADMIN.email, p: ADMIN.password },
    );
    const adminToken = login.token;
    const gql = <T>(query: string, variables: Record<string, unknown> = {}, token = adminToken) =>
      graphql<T>(apiUrl, query, variables, token);

    const { createTeam } = await gql<{ createTeam: { id: string } }>(
      `mutation($i:CreateTeamInput!){ createTeam(input:$i){ id } }`,
      { i: { name: "Fraud Detection", slug: "fraud" } },
    );
    const users = { ADMIN } as StackInfo["users"];
    for (const role of ROLES.filter((r) => r !== "ADMIN")) {
      const email = `${role.toLowerCase().replace("_", "-")}@e2e.costgate.test`;
      const name = { FINANCE: "Fiona Finance", ML_ENGINEER: "Mia Engineer", VIEWER: "Victor Viewer" }[role];
      await gql(`mutation($i:CreateUserInput!){ createUser(input:$i){ id } }`, {
        i: { email, name, password: PASSWORD, role, teamId: createTeam.id },
      });
      users[role] = { email, password: PASSWORD };
    }

    let webUrl: string | null = null;
    if (wantWeb) {
      await building;
      const webPort = await freePort();
      webUrl = `http://127.0.0.1:${webPort}`;
      const server = dashboardServer(apiUrl, webPort);
      const web = startService("web", process.execPath, server.args, {
        cwd: server.cwd,
        env: server.env,
        logDir: opts.logDir,
      });
      services.push(web);
      await waitForHttp(web, `${webUrl}/login`, opts.logDir, 60_000);
      log(`web on ${webUrl}`);
    }

    return {
      shared,
      info: {
        apiUrl,
        webUrl,
        databaseUrl: database.url,
        databaseName: database.name,
        queuePrefix,
        artifactDir,
        logDir: opts.logDir,
        teamId: createTeam.id,
        users,
      },
      gql,
      adminToken,
      pid: (name: string) => services.find((s) => s.name === name)?.child.pid,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
