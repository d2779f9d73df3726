// Bulk data for the page benchmark, written with set-based SQL (generate_series) in seconds:
// 5 teams, 200 models, 2,000 versions (each with an evaluation and a cost measurement),
// 1,000,000 usage rows over the last 60 days and their daily_spend rollup, 20 budgets and
// a few alerts. Runs on a fresh, seeded database (the hardware profiles exist).
import pg from "pg";
import { pgConfigFromUrl } from "@costgate/db";

export const SCALE = { teams: 5, models: 200, versionsPerModel: 10, usageRows: 1_000_000, days: 60 } as const;

export async function bulkSeed(databaseUrl: string, log: (line: string) => void): Promise<Record<string, number>> {
  const client = new pg.Client(pgConfigFromUrl(databaseUrl));
  await client.connect();
  const step = async (what: string, sql: string, params: unknown[] = []) => {
    const started = Date.now();
    const result = await client.query(sql, params);
    log(`  ${what}: ${result.rowCount ?? 0} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  const { teams, models, versionsPerModel, usageRows, days } = SCALE;
  try {
    await client.query("BEGIN");
    await step(
      "teams",
      `INSERT INTO teams (id, name, slug, updated_at) SELECT 'bench-team-' || t, 'Bench team ' || t, 'bench-' || t, now() FROM generate_series(1, $1) t`,
      [teams],
    );
    await step(
      "artifacts",
      `INSERT INTO artifacts (id, kind, sha256, size_bytes, files, team_id, created_by)
       SELECT 'bench-art-' || k || '-' || t, k::"ArtifactKind", md5(k || t) || md5(t || k), 180718,
              '[{"path":"model.json","sizeBytes":2000,"sha256":"x"}]'::jsonb, 'bench-team-' || t, 'bench'
       FROM generate_series(1, $1) t, unnest(ARRAY['TFJS_LAYERS_MODEL', 'DATASET']) k`,
      [teams],
    );
    await step(
      "models",
      `INSERT INTO models (id, team_id, name, description, task, updated_at)
       SELECT 'bench-model-' || m, 'bench-team-' || (1 + (m - 1) % $2), 'Model ' || lpad(m::text, 3, '0'),
              'Benchmark model ' || m, (CASE WHEN m % 5 = 0 THEN 'REGRESSION' ELSE 'CLASSIFICATION' END)::"ModelTask", now()
       FROM generate_series(1, $1) m`,
      [models, teams],
    );
    await step(
      "datasets",
      `INSERT INTO datasets (id, model_id, name, role, rows, artifact_id)
       SELECT 'bench-ds-' || m, 'bench-model-' || m, 'evaluation.csv', 'EVALUATION', 1000, 'bench-art-DATASET-' || (1 + (m - 1) % $2)
       FROM generate_series(1, $1) m`,
      [models, teams],
    );
    // Version 1 is the upload; 2..10 alternate prune / fine-tune / quantize, each from the one before.
    // Version 5 serves production, version 1 is archived, the rest are candidates.
    await step(
      "model_versions",
      `INSERT INTO model_versions (id, model_id, number, source, recipe, parent_id, stage, status, artifact_id,
                                   parameter_count, non_zero_parameter_count, weight_dtypes, created_by, created_at, updated_at)
       SELECT 'bench-v-' || m || '-' || v, 'bench-model-' || m, v,
              (CASE WHEN v = 1 THEN 'UPLOAD' WHEN v % 3 = 2 THEN 'PRUNE' WHEN v % 3 = 0 THEN 'FINE_TUNE' ELSE 'QUANTIZE' END)::"VersionSource",
              CASE WHEN v = 1 THEN NULL ELSE jsonb_build_object('step', v - 1) END,
              CASE WHEN v = 1 THEN NULL ELSE 'bench-v-' || m || '-' || (v - 1) END,
              (CASE WHEN v = 5 THEN 'PRODUCTION' WHEN v = 1 THEN 'ARCHIVED' ELSE 'CANDIDATE' END)::"VersionStage",
              'READY', 'bench-art-TFJS_LAYERS_MODEL-' || (1 + (m - 1) % $3),
              45000 - v * 2000, 45000 - v * 3000, ARRAY['float32'], 'bench',
              now() - make_interval(days => 90 - v), now()
       FROM generate_series(1, $1) m, generate_series(1, $2) v
       ORDER BY v`,
      [models, versionsPerModel, teams],
    );
    await step(
      "evaluations",
      `INSERT INTO evaluations (id, version_id, dataset_id, metric, value, samples)
       SELECT 'bench-ev-' || m || '-' || v, 'bench-v-' || m || '-' || v, 'bench-ds-' || m,
              CASE WHEN m % 5 = 0 THEN 'mse' ELSE 'accuracy' END,
              CASE WHEN m % 5 = 0 THEN 0.01 + v * 0.0004 ELSE 0.95 - v * 0.002 END, 1000
       FROM generate_series(1, $1) m, generate_series(1, $2) v`,
      [models, versionsPerModel],
    );
    await step(
      "cost_measurements",
      `INSERT INTO cost_measurements (id, version_id, hardware_profile_id, backend, batch_size, latency_p50_ms, latency_p95_ms, latency_p99_ms,
                                      throughput_per_second, peak_memory_bytes, model_size_bytes, load_time_ms, macs_per_inference,
                                      cost_per_million_usd, runs, spread)
       SELECT 'bench-cm-' || m || '-' || v, 'bench-v-' || m || '-' || v, hp.id, 'wasm', 32,
              0.09 - v * 0.004, 0.12 - v * 0.004, 0.15 - v * 0.004, 120000 + v * 9000, 2000000, 180000 - v * 12000, 12, 44288 - v * 2500,
              round((hp.hourly_price_usd / ((120000 + v * 9000) * 3600) * 1e6)::numeric, 6), 200, 0.05
       FROM generate_series(1, $1) m, generate_series(1, $2) v, hardware_profiles hp
       WHERE hp.is_default`,
      [models, versionsPerModel],
    );
    // Usage: 80% on the production version, 20% on the archived one, spread over the last $days days.
    await step(
      "usage_records",
      `INSERT INTO usage_records (id, idempotency_key, version_id, model_id, team_id, hardware_profile_id, requests, cost_usd, occurred_at, recorded_by)
       SELECT 'bench-u-' || g, 'bench-' || g, 'bench-v-' || m || '-' || v, 'bench-model-' || m, 'bench-team-' || (1 + (m - 1) % $3), hp.id,
              req, round(req * cm.cost_per_million_usd / 1000000, 6),
              now() - make_interval(secs => (g::float8 / $1) * $2 * 86400), 'bench'
       FROM generate_series(1, $1) g
       CROSS JOIN LATERAL (SELECT 1 + (g % $4) AS m, CASE WHEN (g / $4) % 5 = 0 THEN 1 ELSE 5 END AS v, 1000 + (g % 97) * 100 AS req) pick
       JOIN hardware_profiles hp ON hp.is_default
       JOIN cost_measurements cm ON cm.id = 'bench-cm-' || pick.m || '-' || pick.v`,
      [usageRows, days, teams, models],
    );
    await step(
      "daily_spend",
      `INSERT INTO daily_spend (day, version_id, model_id, team_id, requests, cost_usd)
       SELECT (occurred_at AT TIME ZONE 'UTC')::date, version_id, model_id, team_id, sum(requests), sum(cost_usd)
       FROM usage_records GROUP BY 1, 2, 3, 4`,
    );
    // The rollup the spend explorer reads: the row of all usage (tag_key '') per day, version and profile.
    await step(
      "daily_tag_spend",
      `INSERT INTO daily_tag_spend (day, version_id, hardware_profile_id, tag_key, tag_value, model_id, team_id, requests, cost_usd)
       SELECT (occurred_at AT TIME ZONE 'UTC')::date, version_id, hardware_profile_id, '', '', min(model_id), min(team_id), sum(requests), sum(cost_usd)
       FROM usage_records GROUP BY 1, 2, 3`,
    );
    await step(
      "budgets",
      `INSERT INTO budgets (id, name, team_id, model_id, amount_usd, period, alert_thresholds, action, updated_at)
       SELECT 'bench-b-' || t || '-' || k, CASE WHEN k = 1 THEN 'Team ' || t || ' inference' ELSE 'Model ' || lpad((t + (k - 2) * $1)::text, 3, '0') || ' cap' END,
              'bench-team-' || t, CASE WHEN k = 1 THEN NULL ELSE 'bench-model-' || (t + (k - 2) * $1) END,
              CASE WHEN k = 1 THEN 50 ELSE 2 END, 'MONTHLY', ARRAY[0.5, 0.8, 1.0], 'NOTIFY', now()
       FROM generate_series(1, $1) t, generate_series(1, 4) k`,
      [teams],
    );
    await step(
      "alerts",
      `INSERT INTO alerts (id, budget_id, kind, threshold, spent_usd, forecast_usd, period_start)
       SELECT 'bench-a-' || b.id, b.id, 'THRESHOLD_FORECAST', 0.8, 1, 2, date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
       FROM budgets b WHERE b.id LIKE 'bench-b-%-1'`,
    );
    await client.query("COMMIT");
    await step("analyze", "ANALYZE");
    const counts: Record<string, number> = {};
    for (const table of [
      "models",
      "model_versions",
      "evaluations",
      "cost_measurements",
      "usage_records",
      "daily_spend",
      "budgets",
    ]) {
      counts[table] = Number((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
    }
    return counts;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
