// What an audit event changed, as a person reads it: one row per field with its value before and
// after (only the fields that differ; all of them for a creation or a deletion), field names in
// words, nested records flattened one level ("cost gate: projected monthly").

export interface ChangeRow {
  field: string;
  before: string | null;
  after: string | null;
}

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** "amountUsd" → "amount (USD)", "alertThresholds" → "alert thresholds", "modelId" → "model id". */
export function fieldLabel(key: string): string {
  return key
    .split(".")
    .map((part) =>
      part
        .replace(/Usd$/, " (USD)")
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/\bId\b/g, "id")
        .toLowerCase()
        .replace(/\(usd\)/, "(USD)"),
    )
    .join(": ");
}

/** A value as text: strings as they are, lists comma-separated, nested values as compact JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value === "" ? "(empty)" : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.every((v) => typeof v !== "object") ? value.join(", ") : JSON.stringify(value);
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 117)}…` : json;
}

/** Flattens one level of nesting: { costGate: { delta: 1 } } → { "costGate.delta": 1 }. */
function flatten(value: unknown): Json {
  if (!isRecord(value)) return value === null || value === undefined ? {} : { value };
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (isRecord(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

/** Bookkeeping a reader does not need: row ids, timestamps of the row itself, who created it (the actor column says). */
const BOOKKEEPING = new Set(["id", "createdAt", "updatedAt", "createdBy", "createdById", "createdByKeyId"]);
const isReference = (key: string) => /Id$/.test(key.split(".").at(-1)!);

/**
 * The fields an event changed. Bookkeeping is left out; a reference to another row (`…Id`) shows
 * only as "changed" (its id means nothing to a reader; the entity links to its page); a creation
 * (or deletion) lists the fields that have a value.
 */
export function auditChanges(before: unknown, after: unknown): ChangeRow[] {
  const b = flatten(before);
  const a = flatten(after);
  const both = before != null && after != null;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys
    .filter((k) => !BOOKKEEPING.has(k) && JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .filter((k) => both || (b[k] ?? a[k]) !== null)
    .filter((k) => both || !isReference(k))
    .map((k) => {
      if (isReference(k))
        return {
          field: fieldLabel(k).replace(/ id$/, ""),
          before: b[k] == null ? "none" : "one",
          after: a[k] == null ? "none" : "another one",
        };
      return {
        field: fieldLabel(k),
        before: k in b ? valueText(b[k]) : null,
        after: k in a ? valueText(a[k]) : null,
      };
    });
}

/** Where the dashboard shows an audited entity; null when it has no page. */
export function entityHref(
  type: string,
  id: string,
  entity: { modelId?: string | null; budgetId?: string | null } | null,
): string | null {
  if (!entity) return null;
  switch (type) {
    case "Model":
    case "ModelVersion":
    case "Dataset":
      return entity.modelId ? `/models/${entity.modelId}` : null;
    case "OptimizationJob":
      return `/jobs/${id}`;
    case "OptimizationPolicy":
      return `/policies/${id}`;
    case "Budget":
      return `/budgets/${id}`;
    case "Alert":
      return entity.budgetId ? `/budgets/${entity.budgetId}` : null;
    case "Webhook":
      return "/admin/webhooks";
    case "User":
    case "ApiKey":
    case "Team":
      return "/admin/users";
    case "HardwareProfile":
      return "/admin/hardware";
    default:
      return null;
  }
}
