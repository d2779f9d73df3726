// API throughput: `npm run bench:throughput --workspace @costgate/api`.
// A scratch database with a team of 20 models and 5 budgets; the API in its own process (as in
// production: `node --import tsx src/main.ts`, NODE_ENV=production; API_PROCESSES processes, as
// `npm start` runs it); this process is the client.
//   (a) 32 clients, each on its own kept-alive connection with its own session token, sending the
//       dashboard's common queries (Me, Teams, Models, Budgets: the documents of
//       apps/web/src/lib/operations.ts) for BENCH_SECONDS: req/s, p50, p99;
//   (b) `{ __typename }` from one client: p50.
// Each round also loads a bare Apollo Server (bench/bare-apollo.ts: `{ hello }`, BENCH_BARE_PROCESSES
// processes, default one per core) the same way: the ceiling of this machine, in the same minutes.
// BENCH_VARIANTS compares API processes side by side in one run, rounds interleaved (A B, B A, ...) so
// the machine's drift hits both: `;`-separated lists of NAME=VALUE variables, e.g.
//   BENCH_VARIANTS="AUTH_CACHE_MS=0;AUTH_CACHE_MS=5000"
// BENCH_CPU_PROF=<dir> runs the API processes under `node --cpu-prof` (a profile per process, written at exit).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashPassword } from "@costgate/secrets";
import { createTestDatabase, seedDatabase } from "@costgate/db";
import { childPids, freePort } from "@costgate/testkit";
import { benchEnv, teamWithModels } from "./fixtures.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TYPENAME_RUNS = Number(process.env.BENCH_TYPENAME_RUNS ?? 2_000);
const BARE_PROCESSES = Number(process.env.BENCH_BARE_PROCESSES ?? availableParallelism());
const VARIANTS = (process.env.BENCH_VARIANTS ?? "").split(";").map((v) =>
  Object.fromEntries(
    v
      .split(/\s+/)
      .filter(Boolean)
      .map((kv) => kv.split("=", 2) as [string, string]),
  ),
);
const apiDir = fileURLToPath(new URL("..", import.meta.url));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const median = (xs: number[]) => pct(xs, 50);

/** The dashboard's own documents, read from its source so the benchmark sends what it sends. */
function dashboardQuery(name: string): string {
  const source = readFileSync(join(apiDir, "..", "web", "src", "lib", "operations.ts"), "utf8");
  const m = new RegExp(`export const ${name} = graphql\\(\`([\\s\\S]*?)\`\\)`).exec(source);
  if (!m) throw new Error(`no ${name} in apps/web/src/lib/operations.ts`);
  return m[1]!;
}

/** One POST /graphql over `agent`; resolves with the status and the time it took (ms). */
function post(url: string, agent: http.Agent, body: string, token: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/graphql`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          if (res.statusCode !== 200 || text.includes('"errors"'))
            reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve({ status: res.statusCode, ms: performance.now() - t0 });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** CPU seconds a process and its children (a cluster's API processes) have used: user + system, from /proc. */
function treeCpuSeconds(pid: number): number {
  let total = 0;
  for (const p of [pid, ...childPids(pid)]) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

async function startApi(
  env: Record<string, string>,
  extra: Record<string, string>,
  profDir?: string,
  entry = "src/main.ts",
) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []), "--import", "tsx", entry],
    {
      cwd: apiDir,
      env: { ...process.env, ...env, ...extra, API_HOST: "127.0.0.1", API_PORT: String(port) },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600) throw new Error("the API did not start within 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    /** CPU seconds the API's processes have used (what others run on the machine does not count). */
    cpuSeconds: () => treeCpuSeconds(child.pid!),
    async stop() {
      child.kill("SIGTERM");
      const code = await exited;
      if (code !== 0) throw new Error(`the API exited with ${code} on SIGTERM`);
    },
  };
}

const database = await createTestDatabase();
const env = benchEnv(database.url, "warn");
const artifactDir = env.ARTIFACT_DIR;
const apis: Awaited<ReturnType<typeof startApi>>[] = [];
/** The bare Apollo Server, stopped with the APIs. */
const others: typeof apis = [];
try {
  const { createDb } = await import("@costgate/db");
  const db = createDb(database.url);
  await seedDatabase(db, { adminEmail: "admin@bench.local", adminPassword: "bench-admin-password", demo: false });
  const { teamId } = await teamWithModels(db, "dashboard", 20);
  for (let i = 0; i < 5; i++)
    await db.budget.create({
      data: { teamId, name: `Budget ${i}`, amountUsd: "1000", period: "MONTHLY", alertThresholds: [0.5, 0.8, 1] },
    });
  const email = `engineer-${randomBytes(3).toString("hex")}@bench.local`;
  await db.user.create({
    data: {
      email,
      name: "Engineer",
      role: "ML_ENGINEER",
      teamId,
      passwordHash: await hashPassword("bench-password-123"),
    },
  });
  await db.$disconnect();

  const profDir = process.env.BENCH_CPU_PROF;
  for (const variant of VARIANTS) apis.push(await startApi(env, variant, profDir));
  const login = await fetch(`${apis[0]!.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }`,
      variables: { e: email, p: "bench-password-123" },
    }),
  });
  const token = ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
  // Every client its own session, as 32 people on the dashboard.
  const tokens = [token];
  while (tokens.length < CLIENTS) {
    const res = await fetch(`${apis[0]!.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }`,
        variables: { e: email, p: "bench-password-123" },
      }),
    });
    tokens.push(((await res.json()) as { data: { login: { token: string } } }).data.login.token);
  }
  const bare = await startApi(env, { API_PROCESSES: String(BARE_PROCESSES) }, undefined, "bench/bare-apollo.ts");
  others.push(bare);

  const bodies = [
    { query: dashboardQuery("MeQuery") },
    { query: dashboardQuery("TeamsQuery") },
    { query: dashboardQuery("ModelsQuery"), variables: { first: 20 } },
    { query: dashboardQuery("BudgetsQuery") },
  ].map((b) => JSON.stringify(b));
  const typename = JSON.stringify({ query: "{ __typename }" });
  const hello = JSON.stringify({ query: "{ hello }" });

  /** CLIENTS loops on kept-alive connections for SECONDS; every latency. */
  const load = async (api: (typeof apis)[number], sent: string[] = bodies) => {
    const { url } = api;
    const cpuBefore = api.cpuSeconds();
    const latencies: number[] = [];
    const until = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        for (let i = c; performance.now() < until; i++)
          latencies.push((await post(url, agent, sent[i % sent.length]!, tokens[c]!)).ms);
        agent.destroy();
      }),
    );
    const cpuMs = ((api.cpuSeconds() - cpuBefore) * 1000) / latencies.length;
    return { rps: latencies.length / SECONDS, p50: pct(latencies, 50), p99: pct(latencies, 99), cpuMs };
  };
  const single = async (url: string, body = typename) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ms: number[] = [];
    for (let i = 0; i < TYPENAME_RUNS; i++) ms.push((await post(url, agent, body, token)).ms);
    agent.destroy();
    return pct(ms, 50);
  };

  // Warm-up (JIT, connection pools), then interleaved rounds.
  for (const api of apis) {
    for (let i = 0; i < 200; i++)
      await post(api.url, new http.Agent(), bodies[i % bodies.length]!, tokens[i % CLIENTS]!);
  }
  for (let i = 0; i < 200; i++) await post(bare.url, new http.Agent(), hello, token);
  const bareResults = { rps: [] as number[], p99: [] as number[], tn: [] as number[] };
  const results = VARIANTS.map(() => ({
    rps: [] as number[],
    p50: [] as number[],
    p99: [] as number[],
    cpu: [] as number[],
    tn: [] as number[],
  }));
  const loadStart = loadavg()[0]!;
  for (let r = 0; r < ROUNDS; r++) {
    const order = VARIANTS.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const l = await load(apis[i]!);
      const tn = await single(apis[i]!.url);
      results[i]!.rps.push(l.rps);
      results[i]!.p50.push(l.p50);
      results[i]!.p99.push(l.p99);
      results[i]!.cpu.push(l.cpuMs);
      results[i]!.tn.push(tn);
      console.log(
        `round ${r + 1} ${JSON.stringify(VARIANTS[i])}: ${l.rps.toFixed(0)} req/s, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, API CPU ${l.cpuMs.toFixed(2)} ms/request; { __typename } p50 ${tn.toFixed(3)} ms`,
      );
    }
    const b = await load(bare, [hello]);
    const btn = await single(bare.url, hello);
    bareResults.rps.push(b.rps);
    bareResults.p99.push(b.p99);
    bareResults.tn.push(btn);
    console.log(
      `round ${r + 1} bare Apollo (${BARE_PROCESSES} processes): ${b.rps.toFixed(0)} req/s, p99 ${b.p99.toFixed(2)} ms, CPU ${b.cpuMs.toFixed(2)} ms/request; { hello } p50 ${btn.toFixed(3)} ms`,
    );
  }
  const range = (xs: number[], digits: number) =>
    `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
  console.log(
    `\n${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}; load average (1 min) at start / end: ${loadStart.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`${CLIENTS} clients × ${SECONDS} s × ${ROUNDS} rounds; medians over rounds (and their range):`);
  console.log(
    "| variant | req/s | req/s, rounds | ÷ bare Apollo | p50 (ms) | p99 (ms) | p99, rounds | API CPU per request (ms) | `{ __typename }` p50 (ms) | CPU per request, ratio to the first |",
  );
  console.log("|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  results.forEach((res, i) => {
    const label =
      Object.entries(VARIANTS[i]!)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ") || "(defaults)";
    console.log(
      `| ${label} | ${median(res.rps).toFixed(0)} | ${range(res.rps, 0)} | ${(median(res.rps) / median(bareResults.rps)).toFixed(3)} | ${median(res.p50).toFixed(2)} | ${median(res.p99).toFixed(2)} | ${range(res.p99, 0)} | ${median(res.cpu).toFixed(2)} | ${median(res.tn).toFixed(3)} | ${(median(res.cpu) / median(results[0]!.cpu)).toFixed(2)}× |`,
    );
  });
  console.log(
    `| bare Apollo, \`{ hello }\` (${BARE_PROCESSES} processes) | ${median(bareResults.rps).toFixed(0)} | ${range(bareResults.rps, 0)} | 1 | | ${median(bareResults.p99).toFixed(2)} | ${range(bareResults.p99, 0)} | | ${median(bareResults.tn).toFixed(3)} | |`,
  );
} finally {
  for (const api of [...apis, ...others]) await api.stop();
  await database.drop();
  rmSync(artifactDir, { recursive: true, force: true });
}
