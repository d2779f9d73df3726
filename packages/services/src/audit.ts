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

/** Never stored, whatever the entity: secrets and their hashes. */
const SECRET_FIELDS = new Set(["passwordHash", "secretHash", "secret", "password", "token"]);

/** An http(s) URL's origin only: receivers often carry their credential in the path or query. */
function originOnly(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  try {
    const url = new URL(raw);
    return `${url.origin}/…`;
  } catch {
    return "(redacted)";
  }
}

/**
 * Per entity, what the audit log keeps of a field readable by fewer roles than the log itself
 * (every role of the team reads the log): a webhook's URL is read by FINANCE/ADMIN only.
 */
const REDACTED_FIELDS: Record<string, Record<string, (v: unknown) => unknown>> = {
  Webhook: { url: originOnly },
};

/**
 * Plain JSON of an entity for the audit log: Decimals as strings, dates ISO, secrets and hashes
 * left out, fields of the entity type redacted as REDACTED_FIELDS says.
 */
function auditJson(value: unknown, entityType?: string): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  const redact = (entityType && REDACTED_FIELDS[entityType]) || {};
  return JSON.parse(
    JSON.stringify(value, (k, v) => (SECRET_FIELDS.has(k) ? undefined : k in redact ? redact[k]!(v) : v)),
  ) as Prisma.InputJsonValue;
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
      before: auditJson(input.before, input.entityType),
      after: auditJson(input.after, input.entityType),
    },
  });
}
