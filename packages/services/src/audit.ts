import type { Prisma } from "@costgate/db";

type Tx = Prisma.TransactionClient;

export interface AuditInput {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  teamId?: string | null;
  before?: unknown;
  after?: unknown;
}

const SECRET_FIELDS = new Set(["passwordHash", "secretHash", "secret"]);

/** Plain JSON of an entity for the audit log: Decimals as strings, dates ISO, secrets left out. */
export function auditJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value, (k, v) => (SECRET_FIELDS.has(k) ? undefined : v))) as Prisma.InputJsonValue;
}

/** Every mutation writes one audit event in the same transaction as its change. */
export async function writeAudit(tx: Tx, input: AuditInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actor: input.actor,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId,
      teamId: input.teamId ?? null,
      before: auditJson(input.before),
      after: auditJson(input.after),
    },
  });
}
