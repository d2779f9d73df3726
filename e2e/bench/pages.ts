// Dashboard page benchmark (`npm run bench`, or `npm run bench --workspace @costgate/e2e`):
// seeds a fresh database with 200 models, 2,000 versions and 1,000,000 usage rows, starts the
// API and the web app (production build) against it, signs in once in Chromium for a session
// cookie, then times the server render of each page (sequential GETs, full HTML body read) and
// counts what one render costs: GraphQL operations (the API's /metrics counter) and SQL
// statements (a wire-protocol proxy between the API and PostgreSQL).
// Writes the section "## Dashboard pages (apps/web)" of docs/BENCHMARKS.md.
import { execSync } from "node:child_process";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import { pgConfigFromUrl } from "@costgate/db";
import { startStack } from "../support/stack.ts";
import { PgCountingProxy } from "./pg-counting-proxy.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";
import { bulkSeed, SCALE } from "./seed.ts";

const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const TARGET_P95_MS = 300;
const SECTION = "## Dashboard pages (apps/web)";

const log = (line: string) => console.log(`[bench:pages] ${line}`);
const started = Date.now();

let proxy: PgCountingProxy | undefined;
let seeded: Record<string, number> = {};
let seedSeconds = 0;
const stack = await startStack({
  worker: false,
  logDir: join(tmpdir(), "costgate-bench-pages-logs"),
  log,
  apiEnv: { LOG_LEVEL: "warn" },
  beforeServices: async (databaseUrl) => {
    log(
      `seeding ${SCALE.models} models, ${SCALE.models * SCALE.versionsPerModel} versions, ${SCALE.usageRows.toLocaleString("en-US")} usage rows`,
    );
    const t = Date.now();
    seeded = await bulkSeed(databaseUrl, log);
    seedSeconds = (Date.now() - t) / 1000;
    const { host, port } = pgConfigFromUrl(databaseUrl);
    proxy = new PgCountingProxy({ host: host ?? "127.0.0.1", port: Number(port ?? 5432) });
    const proxyPort = await proxy.listen();
    const url = new URL(databaseUrl);
    url.port = String(proxyPort);
    return { apiDatabaseUrl: url.toString() };
  },
});

// The FINANCE user moves into the first bench team (40 models, its budgets and spend) before signing in.
{
  const pg = (await import("pg")).default;
  const client = new pg.Client(pgConfigFromUrl(stack.info.databaseUrl));
  await client.connect();
  await client.query("UPDATE users SET team_id = 'bench-team-1' WHERE email = $1", [stack.info.users.FINANCE.email]);
  await client.end();
}

interface PageResult {
  name: string;
  path: string;
  samples: number[];
  status: number;
  bytes: number;
  graphql: number;
  graphqlByOperation: Record<string, number>;
  sql: number;
  transactionControl: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function graphqlCounters(): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.info.apiUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^costgate_graphql_requests_total\{([^}]*)\} (\d+(?:\.\d+)?)/.exec(line);
    if (!m) continue;
    const operation = /operation="([^"]*)"/.exec(m[1]!)?.[1] ?? "?";
    counts[operation] = (counts[operation] ?? 0) + Number(m[2]);
  }
  return counts;
}

async function render(path: string, cookie: string): Promise<{ ms: number; status: number; bytes: number }> {
  const t = process.hrtime.bigint();
  const res = await fetch(`${stack.info.webUrl}${path}`, {
    headers: { cookie, accept: "text/html" },
    redirect: "manual",
  });
  const body = await res.text();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, status: res.status, bytes: body.length };
}

async function measure(name: string, path: string, cookie: string): Promise<PageResult> {
  for (let i = 0; i < WARMUP; i++) await render(path, cookie);
  // Counts: one render alone (sequential, nothing else talks to the API; the worker is not started).
  await new Promise((r) => setTimeout(r, 200));
  const gqlBefore = await graphqlCounters();
  const sqlBefore = proxy!.snapshot();
  const first = await render(path, cookie);
  await new Promise((r) => setTimeout(r, 200));
  const sqlAfter = proxy!.snapshot();
  const gqlAfter = await graphqlCounters();
  const byOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(gqlAfter)) {
    const delta = n - (gqlBefore[op] ?? 0);
    if (delta > 0) byOperation[op] = delta;
  }
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push((await render(path, cookie)).ms);
  return {
    name,
    path,
    samples: samples.sort((a, b) => a - b),
    status: first.status,
    bytes: first.bytes,
    graphql: Object.values(byOperation).reduce((a, b) => a + b, 0),
    graphqlByOperation: byOperation,
    sql: sqlAfter.statements - sqlBefore.statements,
    transactionControl: sqlAfter.transactionControl - sqlBefore.transactionControl,
  };
}

async function sessionCookie(role: "ADMIN" | "FINANCE"): Promise<string> {
  const browser = await chromium.launch({
    executablePath: process.env.COSTGATE_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
  try {
    const page = await browser.newPage({ baseURL: stack.info.webUrl! });
    const user = stack.info.users[role];
    await page.goto("/login");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 30_000 });
    const cookies = await page.context().cookies();
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  } finally {
    await browser.close();
  }
}

const results: { role: string; pages: PageResult[] }[] = [];
try {
  for (const role of ["ADMIN", "FINANCE"] as const) {
    const cookie = await sessionCookie(role);
    const pages: PageResult[] = [];
    const targets: [string, string][] = [
      ["Overview", "/"],
      ["Model page (10 versions)", "/models/bench-model-1"],
      ["Models list", "/models"],
      ["Budgets", "/budgets"],
      // Pages issue 16 changed: the jobs list (queued jobs' waits), users (edit, status), policies.
      ["Jobs", "/jobs"],
      ["Policies", "/policies"],
      // Issue 14's spend explorer (this month by model, chart and table).
      ["Spend explorer", "/spend"],
      // Administration, for ADMIN only.
      ...(role === "ADMIN"
        ? ([
            ["Users and API keys", "/admin/users"],
            ["Audit log", "/admin/audit"],
          ] as [string, string][])
        : []),
    ];
    for (const [name, path] of targets) {
      log(`${role} ${name} (${path}): ${WARMUP} warm-up + ${RUNS} timed renders`);
      const result = await measure(name, path, cookie);
      log(
        `  HTTP ${result.status}, p50 ${percentile(result.samples, 50).toFixed(0)} ms, p95 ${percentile(result.samples, 95).toFixed(0)} ms, ${result.graphql} GraphQL, ${result.sql} SQL`,
      );
      pages.push(result);
    }
    results.push({ role, pages });
  }
} finally {
  await stack.stop();
  await proxy?.close();
}

const machine = `${execSync("uname -sr").toString().trim()}, ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}`;
const now = new Date()
  .toISOString()
  .replace("T", " ")
  .replace(/\.\d+Z$/, " UTC");
const fmt = (ms: number) => ms.toFixed(0);
const rows = results.flatMap(({ role, pages }) =>
  pages.map((p) => {
    const p95 = percentile(p.samples, 95);
    const ops = Object.entries(p.graphqlByOperation)
      .map(([op, n]) => (n > 1 ? `${op} ×${n}` : op))
      .join(", ");
    return `| ${p.name} | \`${p.path}\` | ${role} | ${p.status} | ${fmt(percentile(p.samples, 50))} | ${fmt(p95)} | ${fmt(p.samples.at(-1)!)} | ${p95 < TARGET_P95_MS ? "yes" : "**no**"} | ${p.graphql} (${ops || "none"}) | ${p.sql} + ${p.transactionControl} |`;
  }),
);

const section = `${SECTION}

Command: \`npm run bench --workspace @costgate/e2e\` (also part of \`npm run bench\`)  
Date (UTC): ${now}  
Machine: ${machine}  
Run time: ${((Date.now() - started) / 1000).toFixed(0)} s (bulk seed ${seedSeconds.toFixed(0)} s)

Data: ${seeded.models} models in ${SCALE.teams} teams, ${seeded.model_versions?.toLocaleString("en-US")} versions (each with an evaluation and a
cost measurement), ${seeded.usage_records?.toLocaleString("en-US")} usage rows over ${SCALE.days} days, ${seeded.daily_spend?.toLocaleString("en-US")} daily_spend rows, ${seeded.budgets} budgets
(bulk SQL with generate_series, e2e/bench/seed.ts). API (\`NODE_ENV=production\`) and web app (\`next build\` +
\`next start\`) on this machine, no worker.

How it was measured:
- Server render time: sequential \`GET\` of the page with the session cookie of a user signed in through the
  login form, until the whole HTML body is read (Next.js streams; this includes every server component's
  GraphQL calls). ${WARMUP} warm-up requests, then ${RUNS} timed; p50 / p95 / max over those ${RUNS}. Target: p95 < ${TARGET_P95_MS} ms.
- GraphQL operations per render: the API's \`costgate_graphql_requests_total\` counter (\`/metrics\`) before and
  after one render, by operation name.
- SQL per render: statements the API sent to PostgreSQL during that one render, counted in a TCP proxy between
  the API and PostgreSQL that reads the wire protocol (each simple Query and each extended-protocol Execute is one
  statement; "+ N" are BEGIN/COMMIT). pg_stat_statements is not preloaded on this server. The proxy adds a
  little latency to every query, so the times are slightly pessimistic.
- ADMIN sees all ${SCALE.teams + 1} teams (the heaviest overview); FINANCE sees its own team (40 models, 4 budgets).

| page | path | as | HTTP | p50 (ms) | p95 (ms) | max (ms) | p95 < ${TARGET_P95_MS} ms | GraphQL operations | SQL statements |
|:---|:---|:---|---:|---:|---:|---:|:---|:---|---:|
${rows.join("\n")}
`;

writeBenchmarkSection(SECTION, section);
log(`wrote "${SECTION}" in docs/BENCHMARKS.md`);
console.log(section);
const failed = results.flatMap((r) => r.pages).filter((p) => p.status !== 200);
if (failed.length) {
  log(`pages that did not answer 200: ${failed.map((p) => `${p.path} (${p.status})`).join(", ")}`);
  process.exitCode = 1;
}
