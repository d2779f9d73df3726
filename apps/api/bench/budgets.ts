// Budgets and spend benchmark: `npm run bench --workspace @costgate/api` (or `npm run bench` at the root).
// Own scratch database (createTestDatabase), the real API on an ephemeral port, requests over HTTP.
//   (a) recordUsage throughput through GraphQL in calls of 1,000 records;
//   (b) p95 of a team's budget status + 90-day daily spend through GraphQL, 1,000,000 usage rows behind the team;
//   (c) the same numbers computed by scanning the raw usage rows (the baseline the rollups must beat).
// Writes its section of docs/BENCHMARKS.md ("## Budgets and spend (apps/api)"), leaving the others as they are.
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { hashPassword } from "@costgate/secrets";
import { createTestDatabase, seedDatabase, type Db } from "@costgate/db";
import { loadApiEnv } from "../src/env.ts";
import { benchEnv, teamWithModels } from "./fixtures.ts";
import { createServer } from "../src/server.ts";

const INGEST_CALLS = Number(process.env.BENCH_INGEST_CALLS ?? 150);
const BATCH = 1_000;
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 4);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 200);
const BASELINE_RUNS = Number(process.env.BENCH_BASELINE_RUNS ?? 20);
const INGEST_TARGET = 20_000;
const P95_TARGET_MS = 50;

const started = Date.now();
const loadAtStart = loadavg()[0]!;
const log = (msg: string) => console.log(`[bench budgets ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (x: number) => x.toFixed(1);

const database = await createTestDatabase();
const env = loadApiEnv(benchEnv(database.url));
const artifactDir = env.ARTIFACT_DIR;

const server = await createServer(env);
const db: Db = server.db;
const url = await server.listen(0, "127.0.0.1");

async function gql<T>(token: string, body: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const json = (await res.json()) as { data?: T; errors?: unknown[] };
  if (json.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(json.errors).slice(0, 500)}`);
  return json.data!;
}

async function tokenFor(role: "ML_ENGINEER" | "FINANCE", teamId: string): Promise<string> {
  const email = `${role.toLowerCase()}-${randomBytes(4).toString("hex")}@bench.local`;
  const password = "bench-password-123";
  await db.user.create({ data: { email, name: role, role, teamId, passwordHash: await hashPassword(password) } });
  const res = await gql<{ login: { token: string } }>(
    "",
    JSON.stringify({
      query: `mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }`,
      variables: { e: email, p: password },
    }),
  );
  return res.login.token;
}

try {
  await seedDatabase(db, { adminEmail: "admin@bench.local", adminPassword: "bench-admin-password", demo: false });

  // ---------------------------------------------------------------- (a) ingestion
  const ingest = await teamWithModels(db, "ingest", 3);
  const engineer = await tokenFor("ML_ENGINEER", ingest.teamId);
  const MUTATION = `mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted duplicates costUsd } }`;
  const now = Date.now();
  // Bodies are built before the clock starts: the client's JSON work is not the API's.
  const body = (call: number) =>
    JSON.stringify({
      query: MUTATION,
      variables: {
        i: Array.from({ length: BATCH }, (_, j) => ({
          versionId: ingest.versions[(call + j) % ingest.versions.length]!.id,
          requests: 1 + ((call * BATCH + j) % 997),
          occurredAt: new Date(now - ((call * BATCH + j) % 86_400) * 1_000).toISOString(),
          idempotencyKey: `bench-${call}-${j}`,
        })),
      },
    });
  const WARMUP = 10;
  const bodies = Array.from({ length: WARMUP + INGEST_CALLS }, (_, c) => body(c));
  log(
    `(a) ${INGEST_CALLS} recordUsage calls of ${BATCH} records, ${IN_FLIGHT} in flight, after ${WARMUP} warm-up calls`,
  );
  for (let c = 0; c < WARMUP; c++) await gql(engineer, bodies[c]!);
  let next = WARMUP;
  let accepted = 0;
  const callMs: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < bodies.length) {
        const b = bodies[next++]!;
        const s = performance.now();
        const r = await gql<{ recordUsage: { accepted: number } }>(engineer, b);
        accepted += r.recordUsage.accepted;
        callMs.push(performance.now() - s);
      }
    }),
  );
  const ingestSeconds = (performance.now() - t0) / 1000;
  const perSecond = (INGEST_CALLS * BATCH) / ingestSeconds;
  if (accepted !== INGEST_CALLS * BATCH)
    throw new Error(`expected ${INGEST_CALLS * BATCH} accepted records, got ${accepted}`);
  // The same calls again: every record a duplicate (the idempotent retry path).
  const t1 = performance.now();
  for (let c = WARMUP; c < WARMUP + 20; c++) await gql(engineer, bodies[c]!);
  const retryPerSecond = (20 * BATCH) / ((performance.now() - t1) / 1000);
  log(
    `(a) ${Math.round(perSecond).toLocaleString("en-US")} records/s (${ingestSeconds.toFixed(2)} s); call p50 ${ms(pct(callMs, 50))} ms, p95 ${ms(pct(callMs, 95))} ms; retries ${Math.round(retryPerSecond).toLocaleString("en-US")} records/s`,
  );

  // ---------------------------------------------------------------- (b) status + 90-day spend with 1M rows
  const big = await teamWithModels(db, "big", 3);
  const finance = await tokenFor("FINANCE", big.teamId);
  const profile = await db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
  log(`(b) inserting ${ROWS.toLocaleString("en-US")} usage rows over the last 90 days, and their rollups`);
  const tInsert = performance.now();
  const nowIso = new Date().toISOString();
  await db.$executeRaw`
    INSERT INTO usage_records (id, idempotency_key, version_id, model_id, team_id, hardware_profile_id, requests, cost_usd, occurred_at, recorded_by)
    SELECT 'bench-' || g, ${big.teamId} || ':bench-' || g,
           (${big.versions.map((v) => v.id)}::text[])[1 + g % 3], (${big.versions.map((v) => v.modelId)}::text[])[1 + g % 3], ${big.teamId}, ${profile.id},
           1 + (g * 7919) % 5000,
           round((1 + (g * 7919) % 5000) * (${big.versions.map((v) => v.costPerMillionUsd)}::numeric[])[1 + g % 3] / 1000000, 6),
           ${nowIso}::timestamptz - make_interval(secs => (g * 7.776) :: double precision),
           'bench'
    FROM generate_series(0::bigint, ${ROWS - 1}::bigint) AS g`;
  await db.$executeRaw`
    INSERT INTO daily_spend (day, version_id, model_id, team_id, requests, cost_usd)
    SELECT (occurred_at AT TIME ZONE 'UTC')::date, version_id, min(model_id), min(team_id), sum(requests), sum(cost_usd)
    FROM usage_records WHERE team_id = ${big.teamId} GROUP BY 1, 2`;
  await db.$executeRawUnsafe(`ANALYZE usage_records; ANALYZE daily_spend`);
  const insertSeconds = (performance.now() - tInsert) / 1000;
  const budget = await db.budget.create({
    data: {
      teamId: big.teamId,
      name: "Monthly",
      amountUsd: "250000",
      period: "MONTHLY",
      alertThresholds: [0.5, 0.8, 1],
    },
  });
  const to = new Date();
  const from = new Date(to.getTime() - 90 * 86_400_000);
  const QUERY = JSON.stringify({
    query: `query($b:ID!,$t:ID!,$from:DateTime!,$to:DateTime!){
      budget(id:$b){ status { periodStart periodEnd spentUsd forecastUsd utilization forecastUtilization state exhaustsAt } }
      spend(teamId:$t, from:$from, to:$to, granularity: DAY){ periodStart costUsd requests } }`,
    variables: { b: budget.id, t: big.teamId, from: from.toISOString(), to: to.toISOString() },
  });
  type Answer = {
    budget: { status: { spentUsd: string; periodStart: string } };
    spend: { costUsd: string; requests: number }[];
  };
  for (let i = 0; i < 20; i++) await gql(finance, QUERY);
  const queryMs: number[] = [];
  let answer!: Answer;
  for (let i = 0; i < QUERY_RUNS; i++) {
    const s = performance.now();
    answer = await gql<Answer>(finance, QUERY);
    queryMs.push(performance.now() - s);
  }
  log(
    `(b) status + 90-day spend through GraphQL: p50 ${ms(pct(queryMs, 50))} ms, p95 ${ms(pct(queryMs, 95))} ms (${answer.spend.length} points)`,
  );

  // ---------------------------------------------------------------- (c) baseline: the same from the raw rows
  const periodStart = new Date(answer.budget.status.periodStart);
  const periodEnd = new Date(Date.UTC(periodStart.getUTCFullYear(), periodStart.getUTCMonth() + 1, 1));
  const fromDay = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  const scan = async () => {
    const [spent] = await db.$queryRaw<
      { spent: string }[]
    >`SELECT coalesce(sum(cost_usd), 0)::text AS spent FROM usage_records WHERE team_id = ${big.teamId} AND occurred_at >= ${periodStart} AND occurred_at < ${periodEnd}`;
    const days = await db.$queryRaw<{ day: string; cost: string }[]>`
      SELECT to_char((occurred_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, sum(cost_usd)::text AS cost, sum(requests)::text AS requests
      FROM usage_records WHERE team_id = ${big.teamId} AND occurred_at >= ${fromDay} AND occurred_at < ${to} GROUP BY 1`;
    return { spent: spent!.spent, days };
  };
  await scan();
  const scanMs: number[] = [];
  let scanned!: Awaited<ReturnType<typeof scan>>;
  for (let i = 0; i < BASELINE_RUNS; i++) {
    const s = performance.now();
    scanned = await scan();
    scanMs.push(performance.now() - s);
  }
  const rollupSpent = answer.budget.status.spentUsd;
  const same = Number(scanned.spent).toFixed(2) === Number(rollupSpent).toFixed(2);
  log(
    `(c) the same by scanning usage_records (SQL only, no GraphQL): p50 ${ms(pct(scanMs, 50))} ms, p95 ${ms(pct(scanMs, 95))} ms; spent ${scanned.spent} vs ${rollupSpent} from the rollups`,
  );
  if (!same) throw new Error(`raw scan and rollups disagree: ${scanned.spent} vs ${rollupSpent}`);

  // ---------------------------------------------------------------- report
  const [{ version: pg }] = (await db.$queryRaw<
    { version: string }[]
  >`SELECT split_part(version(), ' ', 2) AS version`) as [{ version: string }];
  const machine = `${process.platform} ${cpus()[0]?.model.trim() ?? "cpu"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${pg}`;
  const yes = (ok: boolean) => (ok ? "met" : "**not met**");
  const section = `## Budgets and spend (apps/api)

Command: \`npm run bench\` (from the repository root; this part alone: \`npm run bench --workspace @costgate/api\`)
Date (UTC): ${new Date().toISOString().replace("T", " ").slice(0, 19)}  
Machine: ${machine}; API, PostgreSQL, Redis and the benchmark client on the same machine  
Run time: ${Math.round((Date.now() - started) / 1000)} s  
Load average (1 min) at start / end: ${loadAtStart.toFixed(2)} / ${loadavg()[0]!.toFixed(2)} (other work shares this machine; the numbers move with it)

| what | result | target |
|:---|---:|:---|
| (a) recordUsage through GraphQL HTTP, calls of ${BATCH.toLocaleString("en-US")} records, ${IN_FLIGHT} in flight | **${Math.round(perSecond).toLocaleString("en-US")} records/s** (call p50 ${ms(pct(callMs, 50))} ms, p95 ${ms(pct(callMs, 95))} ms) | ≥ ${INGEST_TARGET.toLocaleString("en-US")}/s: ${yes(perSecond >= INGEST_TARGET)} |
| (a') the same calls sent again (all duplicates), one at a time | ${Math.round(retryPerSecond).toLocaleString("en-US")} records/s | |
| (b) budget status + 90-day daily spend, one GraphQL request, ${ROWS.toLocaleString("en-US")} usage rows behind the team | **p95 ${ms(pct(queryMs, 95))} ms** (p50 ${ms(pct(queryMs, 50))} ms, ${QUERY_RUNS} runs) | p95 < ${P95_TARGET_MS} ms: ${yes(pct(queryMs, 95) < P95_TARGET_MS)} |
| (c) baseline: the same spent and 90 daily sums by scanning usage_records (SQL only, no GraphQL) | p95 ${ms(pct(scanMs, 95))} ms (p50 ${ms(pct(scanMs, 50))} ms, ${BASELINE_RUNS} runs) | (b) beats it ${(pct(scanMs, 50) / pct(queryMs, 50)).toFixed(0)}× at p50 |

How it was measured:
- A scratch database (createTestDatabase), the API built by \`createServer\` (NODE_ENV=production, logging off) listening on an
  ephemeral port; every call is an HTTP POST /graphql with a session token, like any client's. The client runs in the same
  Node process as the API (its request bodies are serialised before timing starts), so it shares the API's event loop.
- (a) ${INGEST_CALLS} calls after ${WARMUP} warm-up calls, each of ${BATCH.toLocaleString("en-US")} new records (3 versions, occurredAt over the last day):
  every call validates and prices each record, inserts them with one INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING
  and updates daily_spend in the same statement, then asks for a debounced budget check. Records/s = records accepted / wall time.
- (b) ${ROWS.toLocaleString("en-US")} usage rows (3 models, spread evenly over the last 90 days) inserted with generate_series in ${insertSeconds.toFixed(1)} s,
  their rollups built from them, ANALYZE; then ${QUERY_RUNS} sequential requests (after 20 warm-up) of
  \`budget(id){ status {...} } spend(teamId, from: now − 90 d, to: now, granularity: DAY){...}\` for a monthly team budget.
- (c) the same two answers (this month's spend; 90 daily sums) straight from usage_records with SQL through Prisma,
  using the (team_id, occurred_at) index. The spent amounts of (b) and (c) were checked equal.
`;
  const docPath = fileURLToPath(new URL("../../../docs/BENCHMARKS.md", import.meta.url));
  const doc = readFileSync(docPath, "utf8");
  const heading = "## Budgets and spend (apps/api)";
  const at = doc.indexOf(heading);
  let updated: string;
  if (at === -1) updated = `${doc.trimEnd()}\n\n${section}`;
  else {
    const after = doc.indexOf("\n## ", at + heading.length);
    updated = `${doc.slice(0, at)}${section}${after === -1 ? "" : `\n${doc.slice(after + 1)}`}`;
  }
  writeFileSync(docPath, updated.endsWith("\n") ? updated : `${updated}\n`);
  log(`wrote ${docPath}`);
} finally {
  await server.close();
  await database.drop();
  rmSync(artifactDir, { recursive: true, force: true });
}
