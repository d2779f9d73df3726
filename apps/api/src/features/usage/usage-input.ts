import { badInput, tagsProblem, type TagValue } from "@costgate/core";

/** Most records one recordUsage call takes. */
const MAX_USAGE_RECORDS = 10_000;
/** How far in the future occurredAt may be (clocks of the reporting tools drift). */
const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** One record as GraphQL hands it over (types already checked by the schema). */
export interface UsageInput {
  versionId: string;
  requests: number;
  occurredAt: Date;
  idempotencyKey: string;
  hardwareProfileId?: string | null;
  tags?: TagValue[] | null;
}

/** BAD_USER_INPUT naming the record and its field, e.g. input[3].requests. */
export const recordProblem = (index: number, field: keyof UsageInput, message: string) =>
  badInput(`input[${index}].${field}: ${message}; nothing was recorded`, { field: `input.${index}.${field}`, index });

/**
 * Checks what can be checked without the database, record by record in order, so the first
 * bad record is the one named. Hand-written rather than zod: a call carries up to 10,000.
 */
export function checkUsageInput(records: readonly UsageInput[], now: Date): void {
  if (records.length > MAX_USAGE_RECORDS) {
    throw badInput(
      `input: at most ${MAX_USAGE_RECORDS.toLocaleString("en-US")} records per call (got ${records.length.toLocaleString("en-US")}); split them into several calls`,
      { field: "input" },
    );
  }
  const latest = now.getTime() + CLOCK_SKEW_MS;
  for (const [i, r] of records.entries()) {
    if (!r.versionId) throw recordProblem(i, "versionId", "must not be empty");
    if (!Number.isInteger(r.requests) || r.requests < 0)
      throw recordProblem(i, "requests", `must be a whole number of inferences, 0 or more (got ${r.requests})`);
    if (r.occurredAt.getTime() > latest) {
      throw recordProblem(
        i,
        "occurredAt",
        `${r.occurredAt.toISOString()} is in the future (now is ${now.toISOString()}; up to ${CLOCK_SKEW_MS / 60_000} minutes of clock skew are allowed)`,
      );
    }
    const key = r.idempotencyKey;
    if (!key || !key.trim()) throw recordProblem(i, "idempotencyKey", "must not be empty");
    if (key.includes("\u0000")) throw recordProblem(i, "idempotencyKey", "must not contain the NUL character");
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
      throw recordProblem(
        i,
        "idempotencyKey",
        `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters (got ${key.length})`,
      );
    if (r.hardwareProfileId === "")
      throw recordProblem(i, "hardwareProfileId", "must not be empty (omit it for the default profile)");
    const tags = r.tags ? tagsProblem(r.tags) : null;
    if (tags)
      throw badInput(`input[${i}].${tags.path}: ${tags.message}; nothing was recorded`, {
        field: `input.${i}.${tags.path.replace(/\[(\d+)\]/g, ".$1")}`,
        index: i,
      });
  }
}
