// Spend attribution benchmark: `npm run bench:breakdown -w @costgate/api`.
// Own scratch database (createTestDatabase), the real API on an ephemeral port, requests over HTTP.
//   (a) spendBreakdown by TAG over 1,000,000 usage rows carrying 5 tag keys: p50/p95 (target p95 < 100 ms),
//       and its sums checked against a raw scan of usage_records to the cent;
//   (b) a FOCUS export of those rows written (services' writeSpendExport, as the worker runs it),
//       then downloaded from GET /exports/:id.csv while the process's RSS is sampled (flat memory).
// Prints the numbers; docs/BENCHMARKS.md holds them with the command and the machine's load.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { exportFilePath } from "@costgate/artifacts";
import { MoneyDecimal } from "@costgate/core";
import { createTestDatabase, seedDatabase, type Db } from "@costgate/db";
import { hashPassword } from "@costgate/secrets";
import { writeSpendExport } from "@costgate/services";
import { loadApiEnv } from "../src/env.ts";
import { createServer } from "../src/server.ts";
import { benchEnv, teamWithModels } from "./fixtures.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 100);
const DAYS = 90;
const P95_TARGET_MS = 100;

const started = Date.now();
const loadAtStart = loadavg()[0]!;
const log = (msg: string) => console.log(`[bench breakdown ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

const database = await createTestDatabase();
const env = loadApiEnv(benchEnv(database.url));
const server = await createServer(env);
const db: Db = server.db;
const url = await server.listen(0, "127.0.0.1");

async function gql<T>(token: string, query: string, variables: object = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as { data?: T; errors?: unknown[] };
  if (json.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(json.errors).slice(0, 500)}`);
  return json.data!;
}

try {
  await seedDatabase(db, { adminEmail: "admin@bench.local", adminPassword: "bench-admin-password", demo: false });
  const team = await teamWithModels(db, "tags", 3);
  const email = `finance-${randomBytes(4).toString("hex")}@bench.local`;
  await db.user.create({
    data: {
      email,
      name: "F",
      role: "FINANCE",
      teamId: team.teamId,
      passwordHash: await hashPassword("bench-password-123"),
    },
  });
  const finance = (
    await gql<{ login: { token: string } }>(
      "",
      `mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }`,
      {
        e: email,
        p: "bench-password-123",
      },
    )
  ).login.token;
  const profile = await db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });

  log(`inserting ${ROWS.toLocaleString("en-US")} usage rows over ${DAYS} days with 5 tag keys, and their rollups`);
  const tInsert = performance.now();
  const nowIso = new Date().toISOString();
  // Tags: feature (8 values), env (3), region (6), customer (200), tier (4); 1 row in 10 without customer.
  // Hashed from the row number (not periodic in it), so nearly every row has its own tag set within its
  // day and version: the export has about as many rows as usage_records.
  await db.$executeRaw`
    INSERT INTO usage_records (id, idempotency_key, version_id, model_id, team_id, hardware_profile_id, requests, cost_usd, occurred_at, recorded_by, tags)
    SELECT 'bench-' || g, ${team.teamId} || ':bench-' || g,
           (${team.versions.map((v) => v.id)}::text[])[1 + g % 3], (${team.versions.map((v) => v.modelId)}::text[])[1 + g % 3], ${team.teamId}, ${profile.id},
           1 + (g * 7919) % 5000,
           round((1 + (g * 7919) % 5000) * (${team.versions.map((v) => v.costPerMillionUsd)}::numeric[])[1 + g % 3] / 1000000, 6),
           ${nowIso}::timestamptz - make_interval(secs => g * ${(DAYS * 86_400) / ROWS}::float8),
           'bench',
           jsonb_strip_nulls(jsonb_build_object('feature', 'f' || ((g * 40503) / 64) % 8, 'env', (ARRAY['prod','staging','dev'])[1 + ((g * 2246822519) / 256) % 3],
             'region', 'r' || ((g * 3266489917) / 512) % 6, 'customer', CASE WHEN g % 10 = 0 THEN NULL ELSE 'c' || ((g * 2654435761) / 128) % 200 END,
             'tier', 't' || ((g * 668265263) / 1024) % 4))
    FROM generate_series(0::bigint, ${ROWS - 1}::bigint) AS g`;
  await db.$executeRaw`
    INSERT INTO daily_spend (day, version_id, model_id, team_id, requests, cost_usd)
    SELECT (occurred_at AT TIME ZONE 'UTC')::date, version_id, min(model_id), min(team_id), sum(requests), sum(cost_usd)
    FROM usage_records GROUP BY 1, 2`;
  // The tag rollup as ingestion writes it: the row of all usage (tag_key '') and one per tag.
  await db.$executeRaw`
    INSERT INTO daily_tag_spend (day, version_id, hardware_profile_id, tag_key, tag_value, model_id, team_id, requests, cost_usd)
    SELECT (u.occurred_at AT TIME ZONE 'UTC')::date, u.version_id, u.hardware_profile_id, t.key, t.value, min(u.model_id), min(u.team_id), sum(u.requests), sum(u.cost_usd)
    FROM usage_records u CROSS JOIN LATERAL (SELECT '' AS key, '' AS value UNION ALL SELECT key, value FROM jsonb_each_text(u.tags)) t
    GROUP BY 1, 2, 3, 4, 5`;
  await db.$executeRaw`ANALYZE`;
  const [{ n } = { n: 0n }] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM daily_tag_spend`;
  log(
    `inserted in ${((performance.now() - tInsert) / 1000).toFixed(1)} s; daily_tag_spend has ${n.toLocaleString("en-US")} rows`,
  );

  // ---------------------------------------------------------------- (a) spendBreakdown by TAG
  const Q = `query($t:ID,$from:DateTime!,$to:DateTime!,$k:String){ spendBreakdown(teamId:$t, from:$from, to:$to, groupBy: TAG, tagKey:$k){ periodStart group costUsd requests } }`;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const vars = (k: string) => ({
    t: team.teamId,
    from: new Date(today - 29 * 86_400_000).toISOString(),
    to: new Date(today + 86_400_000).toISOString(),
    k,
  });
  const keys = ["feature", "env", "region", "customer", "tier"];
  for (let i = 0; i < 10; i++) await gql(finance, Q, vars(keys[i % 5]!));
  const times: number[] = [];
  const perKey = new Map<string, number[]>();
  for (let i = 0; i < QUERY_RUNS; i++) {
    const key = keys[i % 5]!;
    const s = performance.now();
    await gql(finance, Q, vars(key));
    const t = performance.now() - s;
    times.push(t);
    perKey.set(key, [...(perKey.get(key) ?? []), t]);
  }
  const p50 = pct(times, 50);
  const p95 = pct(times, 95);
  log(
    `(a) spendBreakdown by TAG (30 days, keys in turn), ${QUERY_RUNS} runs: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target < ${P95_TARGET_MS})`,
  );
  for (const [key, xs] of perKey)
    log(`(a)   ${key}: p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms over ${xs.length} runs`);
  // The sums against a raw scan, to the cent.
  const check = await gql<{ spendBreakdown: { group: string | null; costUsd: string }[] }>(
    finance,
    Q,
    vars("customer"),
  );
  const byGroup = new Map<string | null, InstanceType<typeof MoneyDecimal>>();
  for (const p of check.spendBreakdown)
    byGroup.set(p.group, (byGroup.get(p.group) ?? new MoneyDecimal(0)).add(p.costUsd));
  const raw = await db.$queryRaw<{ grp: string | null; cost: string }[]>`
    SELECT tags->>'customer' AS grp, sum(cost_usd)::text AS cost FROM usage_records
    WHERE team_id = ${team.teamId} AND occurred_at >= ${new Date(today - 29 * 86_400_000)} AND occurred_at < ${new Date(today + 86_400_000)} GROUP BY 1`;
  const mismatches = raw.filter(
    (r) =>
      !(byGroup.get(r.grp) ?? new MoneyDecimal(0)).toDecimalPlaces(2).eq(new MoneyDecimal(r.cost).toDecimalPlaces(2)),
  );
  log(
    `(a) ${raw.length} customer groups checked against a raw scan of usage_records: ${mismatches.length} differ by a cent or more`,
  );

  // ---------------------------------------------------------------- (b) FOCUS export of every row
  const exportRow = await db.spendExport.create({
    data: {
      teamId: team.teamId,
      format: "FOCUS",
      fromAt: new Date(today - (DAYS + 1) * 86_400_000),
      toAt: new Date(today + 86_400_000),
      createdBy: "bench",
    },
  });
  const file = exportFilePath(env.ARTIFACT_DIR, exportRow.id);
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const tWrite = performance.now();
  const written = await writeSpendExport(db, exportRow, file);
  const writeSeconds = (performance.now() - tWrite) / 1000;
  const rssAfterWrite = rssPeak;
  await db.spendExport.update({
    where: { id: exportRow.id },
    data: { status: "SUCCEEDED", rows: written.rows, costUsd: written.costUsd.toFixed(6) },
  });
  log(
    `(b) wrote ${written.rows.toLocaleString("en-US")} FOCUS rows in ${writeSeconds.toFixed(1)} s; RSS ${mb(rssBefore)} MB before, peak ${mb(rssAfterWrite)} MB while writing`,
  );

  rssPeak = process.memoryUsage().rss;
  const rssBeforeDownload = rssPeak;
  const tDownload = performance.now();
  const res = await fetch(`${url}/exports/${exportRow.id}.csv`, { headers: { authorization: `Bearer ${finance}` } });
  if (res.status !== 200) throw new Error(`download answered ${res.status}`);
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  clearInterval(sampler);
  log(
    `(b) downloaded ${mb(bytes)} MB in ${((performance.now() - tDownload) / 1000).toFixed(1)} s; RSS (API and client, one process) ${mb(rssBeforeDownload)} MB before, peak ${mb(rssPeak)} MB during the download`,
  );
  log(
    `machine: ${cpus().length} cores; load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`,
  );
} finally {
  await server.close();
  await database.drop();
  rmSync(env.ARTIFACT_DIR, { recursive: true, force: true });
}
