import type { Db } from "@costgate/db";

/** An audit event's entity as people read it (GraphQL AuditEntity). */
export interface AuditEntityView {
  name: string;
  modelId: string | null;
  budgetId: string | null;
}

/** A webhook is named by its URL's origin: the audit log is read by roles that may not read its URL. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "a webhook";
  }
}

const entity = (name: string, modelId: string | null = null, budgetId: string | null = null): AuditEntityView => ({
  name,
  modelId,
  budgetId,
});

type Lookup = (db: Db, ids: string[]) => Promise<[string, AuditEntityView][]>;

/** Per entity type of the audit log, how its rows are named (one statement per type asked for). */
const LOOKUPS: Record<string, Lookup> = {
  Model: async (db, ids) =>
    (await db.model.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((m) => [
      m.id,
      entity(m.name, m.id),
    ]),
  ModelVersion: async (db, ids) =>
    (
      await db.modelVersion.findMany({
        where: { id: { in: ids } },
        select: { id: true, number: true, modelId: true, model: { select: { name: true } } },
      })
    ).map((v) => [v.id, entity(`${v.model.name} v${v.number}`, v.modelId)]),
  Dataset: async (db, ids) =>
    (
      await db.dataset.findMany({
        where: { id: { in: ids } },
        select: { id: true, name: true, modelId: true, model: { select: { name: true } } },
      })
    ).map((d) => [d.id, entity(`dataset ${d.name} of ${d.model.name}`, d.modelId)]),
  OptimizationJob: async (db, ids) =>
    (
      await db.optimizationJob.findMany({
        where: { id: { in: ids } },
        select: {
          id: true,
          policy: { select: { name: true } },
          sourceVersion: { select: { number: true, modelId: true, model: { select: { name: true } } } },
        },
      })
    ).map((j) => [
      j.id,
      entity(`${j.policy.name} on ${j.sourceVersion.model.name} v${j.sourceVersion.number}`, j.sourceVersion.modelId),
    ]),
  OptimizationPolicy: async (db, ids) =>
    (await db.optimizationPolicy.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map(
      (p) => [p.id, entity(p.name)],
    ),
  Budget: async (db, ids) =>
    (await db.budget.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((b) => [
      b.id,
      entity(b.name, null, b.id),
    ]),
  Alert: async (db, ids) =>
    (
      await db.alert.findMany({
        where: { id: { in: ids } },
        select: { id: true, kind: true, budgetId: true, budget: { select: { name: true } } },
      })
    ).map((a) => [
      a.id,
      entity(`${a.kind === "OVERRIDE_REQUEST" ? "override request" : "alert"} on ${a.budget.name}`, null, a.budgetId),
    ]),
  Webhook: async (db, ids) =>
    (await db.webhook.findMany({ where: { id: { in: ids } }, select: { id: true, url: true } })).map((w) => [
      w.id,
      entity(`webhook to ${origin(w.url)}`),
    ]),
  User: async (db, ids) =>
    (await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } })).map((u) => [
      u.id,
      entity(u.name || u.email),
    ]),
  ApiKey: async (db, ids) =>
    (await db.apiKey.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((k) => [
      k.id,
      entity(`API key ${k.name}`),
    ]),
  Team: async (db, ids) =>
    (await db.team.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((t) => [
      t.id,
      entity(`team ${t.name}`),
    ]),
  HardwareProfile: async (db, ids) =>
    (await db.hardwareProfile.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((h) => [
      h.id,
      entity(h.name),
    ]),
};

/** Keys "<entityType>:<entityId>"; the named entity of each, or null (gone, or a type with no name). */
export async function auditEntities(db: Db, keys: readonly string[]): Promise<(AuditEntityView | null)[]> {
  const byType = new Map<string, string[]>();
  for (const key of keys) {
    const [type, id] = key.split(/:(.*)/s, 2) as [string, string];
    if (LOOKUPS[type]) byType.set(type, [...(byType.get(type) ?? []), id]);
  }
  const found = new Map<string, AuditEntityView>();
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      for (const [id, view] of await LOOKUPS[type]!(db, [...new Set(ids)])) found.set(`${type}:${id}`, view);
    }),
  );
  return keys.map((k) => found.get(k) ?? null);
}
