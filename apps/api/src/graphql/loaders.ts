import DataLoader from "dataloader";
import { pricePairKey, type BudgetStatusValue } from "@costgate/core";
import { budgetStatuses, latestCosts } from "@costgate/services";
import type {
  Artifact,
  Budget,
  CostComparison,
  CostMeasurement,
  Dataset,
  Db,
  Evaluation,
  HardwareProfile,
  Model,
  ModelVersion,
  OptimizationPolicy,
  SpendAnomaly,
  Team,
  User,
} from "@costgate/db";
import { newestFirst } from "./pagination.ts";
import { actorNames } from "./actor-names.ts";
import { auditEntities, type AuditEntityView } from "./audit-entities.ts";
import { recentDeliveries, type DeliveryWithLastAttempt } from "../features/webhooks/recent-deliveries.ts";
import { queuePositions } from "../features/optimization/queue-positions.ts";

/**
 * Per-request batching of the lookups that nested fields repeat (a list of 100 models asking
 * each for its team, production version, cost...): every loader turns the N lookups one level
 * of a query makes into one `WHERE id IN (...)`. Made fresh for each request, so nothing is
 * cached across requests or callers; access checks stay in the resolvers.
 */
export function createLoaders(db: Db, now: () => Date) {
  let defaultProfile: Promise<HardwareProfile | null> | undefined;
  const loaders = {
    team: byId<Team>((ids) => db.team.findMany({ where: { id: { in: ids } } })),
    model: byId<Model>((ids) => db.model.findMany({ where: { id: { in: ids } } })),
    version: byId<ModelVersion>((ids) => db.modelVersion.findMany({ where: { id: { in: ids } } })),
    artifact: byId<Artifact>((ids) => db.artifact.findMany({ where: { id: { in: ids } } })),
    dataset: byId<Dataset>((ids) => db.dataset.findMany({ where: { id: { in: ids } } })),
    hardwareProfile: byId<HardwareProfile>((ids) => db.hardwareProfile.findMany({ where: { id: { in: ids } } })),
    budget: byId<Budget>((ids) => db.budget.findMany({ where: { id: { in: ids } } })),
    anomaly: byId<SpendAnomaly>((ids) => db.spendAnomaly.findMany({ where: { id: { in: ids } } })),
    /** Users as GraphQL shows them (never the password hash). */
    user: byId<Pick<User, "id" | "email" | "name" | "role" | "teamId">>((ids) =>
      db.user.findMany({
        where: { id: { in: ids } },
        select: { id: true, email: true, name: true, role: true, teamId: true },
      }),
    ),
    policy: byId<OptimizationPolicy>((ids) => db.optimizationPolicy.findMany({ where: { id: { in: ids } } })),
    /** A model's version in PRODUCTION (at most one). */
    productionVersion: firstBy<ModelVersion>("modelId", (ids) =>
      db.modelVersion.findMany({ where: { modelId: { in: ids }, stage: "PRODUCTION" } }),
    ),
    /** A version's newest evaluation. */
    latestEvaluation: firstBy<Evaluation>("versionId", (ids) =>
      db.evaluation.findMany({ where: { versionId: { in: ids } }, orderBy: { evaluatedAt: "desc" } }),
    ),
    /** How many versions a model has. */
    versionCount: new DataLoader<string, number>(async (ids) => {
      const counts = await db.modelVersion.groupBy({
        by: ["modelId"],
        where: { modelId: { in: [...ids] } },
        _count: { _all: true },
      });
      const of = new Map(counts.map((c) => [c.modelId, c._count._all]));
      return ids.map((id) => of.get(id) ?? 0);
    }),
    /** A version's children in the lineage, oldest first. */
    children: groupBy<ModelVersion>("parentId", (ids) =>
      db.modelVersion.findMany({ where: { parentId: { in: ids } }, orderBy: { number: "asc" } }),
    ),
    /** A model's datasets, newest first. */
    modelDatasets: groupBy<Dataset>("modelId", (ids) =>
      db.dataset.findMany({ where: { modelId: { in: ids } }, orderBy: newestFirst }),
    ),
    /** A team's budgets, newest first. */
    teamBudgets: groupBy<Budget>("teamId", (ids) =>
      db.budget.findMany({ where: { teamId: { in: ids } }, orderBy: newestFirst }),
    ),
    /** The versions an optimization job made, in step order. */
    jobCandidates: groupBy<ModelVersion>("jobId", (ids) =>
      db.modelVersion.findMany({ where: { jobId: { in: ids } }, orderBy: [{ stepIndex: "asc" }, { number: "asc" }] }),
    ),
    /** Every cost measurement of a version, newest first. */
    costs: groupBy<CostMeasurement>("versionId", (ids) =>
      db.costMeasurement.findMany({ where: { versionId: { in: ids } }, orderBy: { measuredAt: "desc" } }),
    ),
    /** The newest cost measurement of a version on a hardware profile. */
    cost: new DataLoader<{ versionId: string; profileId: string }, CostMeasurement | null, string>(
      async (keys) => {
        const latest = await latestCosts(
          db,
          keys.map((k) => ({ versionId: k.versionId, hardwareProfileId: k.profileId })),
        );
        return keys.map((k) => latest.get(pricePairKey(k.versionId, k.profileId)) ?? null);
      },
      { cacheKeyFn: (k) => `${k.versionId}:${k.profileId}` },
    ),
    /** The newest paired measurement of a version against its parent: on the profile when it has one there, else on any. */
    comparison: new DataLoader<{ versionId: string; profileId: string | null }, CostComparison | null, string>(
      async (keys) => {
        const rows = await db.costComparison.findMany({
          where: { versionId: { in: [...new Set(keys.map((k) => k.versionId))] } },
          orderBy: { measuredAt: "desc" },
        });
        return keys.map(
          (k) =>
            rows.find((r) => r.versionId === k.versionId && r.hardwareProfileId === k.profileId) ??
            rows.find((r) => r.versionId === k.versionId) ??
            null,
        );
      },
      { cacheKeyFn: (k) => `${k.versionId}:${k.profileId ?? ""}` },
    ),
    /** A webhook's newest `first` deliveries with their last attempt; every webhook of the list in two statements. */
    webhookDeliveries: new DataLoader<{ webhookId: string; first: number }, DeliveryWithLastAttempt[], string>(
      async (keys) => {
        const found = await recentDeliveries(
          db,
          [...new Set(keys.map((k) => k.webhookId))],
          Math.max(...keys.map((k) => k.first)),
        );
        return keys.map((k) => (found.get(k.webhookId) ?? []).slice(0, k.first));
      },
      { cacheKeyFn: (k) => `${k.webhookId}:${k.first}` },
    ),
    /** A budget's status this period; the spend of every budget asked for in one statement. */
    budgetStatus: new DataLoader<Budget, BudgetStatusValue, string>(
      (budgets) => budgetStatuses(db, [...budgets], now()),
      { cacheKeyFn: (b) => b.id },
    ),
    /** What an audit actor ("user:<id>", "apikey:<id>", "system") is called: see actorNames. */
    actorName: new DataLoader<string, string>((actors) => actorNames(db, [...actors])),
    /** An audit event's entity by "<entityType>:<entityId>", named (see auditEntities). */
    auditEntity: new DataLoader<string, AuditEntityView | null>((keys) => auditEntities(db, keys)),
    /** A QUEUED job's place in line (null otherwise): see queuePositions. */
    queuePosition: new DataLoader<string, number | null>((ids) => queuePositions(db, ids)),
    /** The default hardware profile, read once per request. */
    defaultProfile: () => (defaultProfile ??= db.hardwareProfile.findFirst({ where: { isDefault: true } })),
  };
  return {
    ...loaders,
    /** Forgets everything loaded: after a mutation, later fields of the same request read fresh rows. */
    clear(): void {
      defaultProfile = undefined;
      for (const l of Object.values(loaders)) if (l instanceof DataLoader) l.clearAll();
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Rows by id: null for an id with no row. */
class RowLoader<T extends { id: string }> extends DataLoader<string, T | null> {
  /**
   * The row a foreign key of a non-null field points to. It exists unless deleted since the
   * parent was read; that is answered as an error, as GraphQL answers null in a non-null field.
   */
  async loadRequired(id: string): Promise<T> {
    const row = await this.load(id);
    if (!row) throw new Error(`row ${id} was not found (deleted meanwhile?)`);
    return row;
  }
}

function byId<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>) {
  return new RowLoader<T>(async (ids) => {
    const found = new Map((await load([...ids])).map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** The first row (in the query's order) per value of `field`. */
function firstBy<T>(field: keyof T & string, load: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const first = new Map<string, T>();
    for (const r of await load([...ids])) {
      const k = r[field] as string;
      if (!first.has(k)) first.set(k, r);
    }
    return ids.map((id) => first.get(id) ?? null);
  });
}

/** Every row per value of `field`, in the query's order. */
function groupBy<T>(field: keyof T & string, load: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T[]>(async (ids) => {
    const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
    for (const r of await load([...ids])) groups.get(r[field] as string)?.push(r);
    return ids.map((id) => groups.get(id)!);
  });
}
