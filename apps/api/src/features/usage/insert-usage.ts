import type { Db } from "@costgate/db";
import type { PricedRecord, UsageTarget } from "./price-usage.ts";

export interface InsertedByTeam {
  teamId: string;
  accepted: number;
  costUsd: string;
  modelIds: string[];
}

/**
 * Inserts the records and updates the daily rollups in ONE statement (so one transaction):
 *
 * - usage_records: multi-row INSERT ... SELECT FROM unnest(...) ON CONFLICT (idempotency_key)
 *   DO NOTHING RETURNING: a key already stored (by an earlier call, or by a concurrent one,
 *   whose commit the unique index waits for) is a duplicate, never a second row. Rows go in
 *   key order, so concurrent calls take the index's locks in the same order and cannot deadlock.
 * - daily_spend: the rows actually inserted, summed per (UTC day, version) and added with
 *   INSERT ... ON CONFLICT (day, version_id) DO UPDATE, in (day, version) order for the same reason.
 * - daily_tag_spend: the same rows per (UTC day, version, hardware profile), once as the row of all
 *   usage (tag_key '') and once per tag they carry, added the same way.
 * - audit_events: one event per team whose usage was recorded.
 *
 * Records point into `targets` (version, model, team, profile), so the ids cross once per
 * target rather than once per record. Keys (`<teamId>:<key>`) must be unique within the batch.
 * Returns what was inserted, per team.
 */
export async function insertUsage(
  db: Db,
  batch: { targets: readonly UsageTarget[]; records: readonly PricedRecord[] },
  actor: string,
): Promise<InsertedByTeam[]> {
  const { targets, records } = batch;
  if (!records.length) return [];
  // Each column crosses as ONE text parameter holding a Postgres array literal, cast in SQL:
  // Prisma's query compiler handles a few strings much faster than arrays of 1,000 values.
  const t = <K extends keyof UsageTarget>(k: K) => arrayLiteral(targets.map((x) => x[k]));
  const r = <K extends keyof PricedRecord>(k: K) => arrayLiteral(records.map((x) => String(x[k])));
  return db.$queryRaw<InsertedByTeam[]>`
    WITH target AS (
      SELECT * FROM unnest(${t("versionId")}::text[], ${t("modelId")}::text[], ${t("teamId")}::text[], ${t("hardwareProfileId")}::text[])
        WITH ORDINALITY AS x(version_id, model_id, team_id, hardware_profile_id, n)
    ), input AS (
      SELECT x.team_id || ':' || i.key AS idempotency_key, x.version_id, x.model_id, x.team_id, x.hardware_profile_id, i.requests, i.cost_usd, i.measurement_id,
             timestamptz 'epoch' + i.at_ms * interval '1 millisecond' AS occurred_at, i.tags::jsonb AS tags
      FROM unnest(${r("key")}::text[], ${r("target")}::int[], ${r("requests")}::int[], ${r("costUsd")}::numeric[], ${r("measurementId")}::text[], ${r("occurredAtMs")}::bigint[], ${r("tags")}::text[])
        AS i(key, target, requests, cost_usd, measurement_id, at_ms, tags)
      JOIN target x ON x.n = i.target + 1
    ), inserted AS (
      INSERT INTO usage_records (id, idempotency_key, version_id, model_id, team_id, hardware_profile_id, requests, cost_usd, cost_measurement_id, occurred_at, recorded_by, tags)
      SELECT gen_random_uuid()::text, idempotency_key, version_id, model_id, team_id, hardware_profile_id, requests, cost_usd, measurement_id, occurred_at, ${actor}, tags
      FROM input ORDER BY idempotency_key
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING version_id, model_id, team_id, hardware_profile_id, requests, cost_usd, occurred_at, tags
    ), rollup AS (
      INSERT INTO daily_spend (day, version_id, model_id, team_id, requests, cost_usd)
      SELECT (occurred_at AT TIME ZONE 'UTC')::date, version_id, min(model_id), min(team_id), sum(requests), sum(cost_usd)
      FROM inserted GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (day, version_id) DO UPDATE
        SET requests = daily_spend.requests + EXCLUDED.requests, cost_usd = daily_spend.cost_usd + EXCLUDED.cost_usd
    ), tag_rollup AS (
      INSERT INTO daily_tag_spend (day, version_id, hardware_profile_id, tag_key, tag_value, model_id, team_id, requests, cost_usd)
      SELECT (i.occurred_at AT TIME ZONE 'UTC')::date, i.version_id, i.hardware_profile_id, t.key, t.value, min(i.model_id), min(i.team_id), sum(i.requests), sum(i.cost_usd)
      FROM inserted i
      CROSS JOIN LATERAL (SELECT '' AS key, '' AS value UNION ALL SELECT key, value FROM jsonb_each_text(i.tags)) t
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (day, version_id, hardware_profile_id, tag_key, tag_value) DO UPDATE
        SET requests = daily_tag_spend.requests + EXCLUDED.requests, cost_usd = daily_tag_spend.cost_usd + EXCLUDED.cost_usd
    ), per_team AS (
      SELECT team_id, count(*)::int AS accepted, sum(cost_usd) AS cost_usd, sum(requests)::bigint AS requests,
             array_agg(DISTINCT model_id) AS model_ids, min(occurred_at) AS first_at, max(occurred_at) AS last_at
      FROM inserted GROUP BY team_id
    ), audit AS (
      INSERT INTO audit_events (id, actor, action, entity_type, entity_id, team_id, after)
      SELECT gen_random_uuid()::text, ${actor}, 'usage.record', 'Team', team_id, team_id,
             jsonb_build_object('accepted', accepted, 'requests', requests, 'costUsd', cost_usd::text, 'models', model_ids, 'firstOccurredAt', first_at, 'lastOccurredAt', last_at)
      FROM per_team
    )
    SELECT team_id AS "teamId", accepted, cost_usd::text AS "costUsd", model_ids AS "modelIds" FROM per_team`;
}

/** A Postgres array literal of text elements, each quoted, `"` and `\` escaped: {"a","b \"c\""}. */
const arrayLiteral = (values: readonly string[]): string =>
  `{${values.map((v) => `"${/["\\]/.test(v) ? v.replace(/["\\]/g, "\\$&") : v}"`).join(",")}}`;
