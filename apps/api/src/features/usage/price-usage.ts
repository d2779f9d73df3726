import {
  badInput,
  canonicalTags,
  inTeam,
  pricePairKey,
  requestsCost,
  toMicros,
  type AppError,
  type Principal,
} from "@costgate/core";
import { latestCosts } from "@costgate/services";
import type { Db } from "@costgate/db";
import { recordProblem, type UsageInput } from "./usage-input.ts";

/** What records share: the version, its model and team, and the hardware that served them. */
export interface UsageTarget {
  versionId: string;
  modelId: string;
  teamId: string;
  hardwareProfileId: string;
}

/** A record ready to insert, its cost fixed now. */
export interface PricedRecord {
  /** The caller's key; stored as `<teamId>:<key>`, so two teams' tools never collide on a key (the index is global). */
  key: string;
  /** Index into the batch's targets. */
  target: number;
  requests: number;
  /** Decimal string, 6 decimals. */
  costUsd: string;
  /** The measurement whose costPerMillionUsd fixed costUsd. */
  measurementId: string;
  occurredAtMs: number;
  /** canonicalTags: a JSON object, keys sorted. */
  tags: string;
}

export interface PricedBatch {
  targets: UsageTarget[];
  records: PricedRecord[];
}

interface Price {
  versionId: string;
  profileId: string;
  number: number | null;
  modelId: string | null;
  modelName: string | null;
  teamId: string | null;
}

/**
 * Fixes every record's cost: requests × the version's latest costPerMillionUsd on the serving
 * hardware profile (the default when omitted) / 1e6, rounded half-even to the cent-millionth.
 * Refuses the whole call, naming the first bad record, for an unknown profile or version, a
 * version of another team (to a non-admin, "not found" like an unknown one) or one never
 * measured on that profile. Three statements whatever the number of records.
 */
export async function priceUsage(db: Db, principal: Principal, records: readonly UsageInput[]): Promise<PricedBatch> {
  if (!records.length) return { targets: [], records: [] };
  const askedProfiles = [...new Set(records.flatMap((r) => (r.hardwareProfileId ? [r.hardwareProfileId] : [])))];
  const profiles = await db.$queryRaw<{ id: string; name: string; isDefault: boolean }[]>`
    SELECT id, name, is_default AS "isDefault" FROM hardware_profiles WHERE is_default OR id = ANY(${askedProfiles}::text[])`;
  const profileNames = new Map(profiles.map((p) => [p.id, p.name]));
  const defaultProfile = profiles.find((p) => p.isDefault);

  // Problems are raised in record order below, so the first bad record is the one named.
  const profileOf = (r: UsageInput, i: number): string | AppError => {
    if (r.hardwareProfileId) {
      return profileNames.has(r.hardwareProfileId)
        ? r.hardwareProfileId
        : recordProblem(i, "hardwareProfileId", `hardware profile ${r.hardwareProfileId} not found`);
    }
    return (
      defaultProfile?.id ??
      recordProblem(
        i,
        "hardwareProfileId",
        "there is no default hardware profile: name the one that served these requests",
      )
    );
  };
  const pairKey = pricePairKey;
  const pairs = new Map<string, { versionId: string; profileId: string }>();
  const recordProfiles = records.map((r, i) => {
    const profileId = profileOf(r, i);
    if (typeof profileId === "string")
      pairs.set(pairKey(r.versionId, profileId), { versionId: r.versionId, profileId });
    return profileId;
  });

  const list = [...pairs.values()];
  const rows = await db.$queryRaw<Price[]>`
    SELECT p.version_id AS "versionId", p.profile_id AS "profileId", v.number, v.model_id AS "modelId", m.name AS "modelName", m.team_id AS "teamId"
    FROM unnest(${list.map((p) => p.versionId)}::text[], ${list.map((p) => p.profileId)}::text[]) AS p(version_id, profile_id)
    LEFT JOIN model_versions v ON v.id = p.version_id
    LEFT JOIN models m ON m.id = v.model_id`;
  // The current price of each pair: its latest measurement (services' latestCosts, the one rule).
  const costs = await latestCosts(
    db,
    list.map((p) => ({ versionId: p.versionId, hardwareProfileId: p.profileId })),
  );
  const targets: UsageTarget[] = [];
  const prices = new Map(
    rows.map((p) => {
      const target =
        p.modelId && p.teamId
          ? targets.push({
              versionId: p.versionId,
              modelId: p.modelId,
              teamId: p.teamId,
              hardwareProfileId: p.profileId,
            }) - 1
          : -1;
      const cost = costs.get(pricePairKey(p.versionId, p.profileId));
      return [
        pairKey(p.versionId, p.profileId),
        {
          ...p,
          target,
          micros: cost ? toMicros(cost.costPerMillionUsd.toFixed(6)) : null,
          measurementId: cost?.id ?? null,
        },
      ];
    }),
  );

  const priced = records.map((r, i): PricedRecord => {
    const profileId = recordProfiles[i]!;
    if (typeof profileId !== "string") throw profileId;
    const price = prices.get(pairKey(r.versionId, profileId));
    // Another team's version is "not found" to a non-admin, so other teams' ids do not leak.
    if (!price || price.target < 0 || !inTeam(principal, price.teamId))
      throw recordProblem(i, "versionId", `model version ${r.versionId} not found`);
    if (price.micros === null || price.measurementId === null) {
      throw badInput(
        `input[${i}].versionId: version ${price.number} of model "${price.modelName}" has no cost measurement on hardware profile ${profileNames.get(profileId)} yet, so its usage cannot be priced; nothing was recorded`,
        { field: `input.${i}.versionId`, index: i },
      );
    }
    return {
      key: r.idempotencyKey,
      target: price.target,
      requests: r.requests,
      costUsd: requestsCost(r.requests, price.micros),
      measurementId: price.measurementId,
      occurredAtMs: r.occurredAt.getTime(),
      tags: canonicalTags(r.tags),
    };
  });
  return { targets, records: priced };
}
