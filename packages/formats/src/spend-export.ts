/**
 * The spend export files (CSV and FinOps FOCUS 1.2 columns): one row per UTC day, model version,
 * hardware profile and tag set, written by the worker and read by anyone's spreadsheet or FinOps
 * tool. Money stays the exact decimal text it was summed as in the database (never a float).
 */

/** One aggregated row as the worker reads it from the database (decimals as text, times as ISO strings). */
export interface SpendExportRow {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  teamId: string;
  teamName: string;
  modelId: string;
  modelName: string;
  versionId: string;
  versionNumber: number;
  hardwareProfileId: string;
  hardwareProfileName: string;
  requests: string;
  costUsd: string;
  /** costUsd / requests × 1e6, 6 decimals; "" when no requests. */
  costPerMillionUsd: string;
  /** The record's tags, a JSON object text with sorted keys. */
  tags: string;
}

export type SpendExportFormatName = "CSV" | "FOCUS";

/** What a FOCUS column holds, for readers and for the tests that check every row. */
export type FocusColumnType = "String" | "DateTime" | "Decimal" | "JSON";

/** FOCUS 1.2 columns Costgate fills, then its own x_ columns, in file order. */
export const FOCUS_COLUMNS: readonly { name: string; type: FocusColumnType }[] = [
  { name: "BillingAccountId", type: "String" },
  { name: "BillingAccountName", type: "String" },
  { name: "BillingPeriodStart", type: "DateTime" },
  { name: "BillingPeriodEnd", type: "DateTime" },
  { name: "ChargePeriodStart", type: "DateTime" },
  { name: "ChargePeriodEnd", type: "DateTime" },
  { name: "ChargeCategory", type: "String" },
  { name: "ChargeDescription", type: "String" },
  { name: "BilledCost", type: "Decimal" },
  { name: "EffectiveCost", type: "Decimal" },
  { name: "ListCost", type: "Decimal" },
  { name: "ContractedCost", type: "Decimal" },
  { name: "BillingCurrency", type: "String" },
  { name: "ConsumedQuantity", type: "Decimal" },
  { name: "ConsumedUnit", type: "String" },
  { name: "ServiceName", type: "String" },
  { name: "ServiceCategory", type: "String" },
  { name: "ResourceId", type: "String" },
  { name: "ResourceName", type: "String" },
  { name: "Tags", type: "JSON" },
  { name: "x_ModelVersionId", type: "String" },
  { name: "x_ModelVersion", type: "Decimal" },
  { name: "x_Requests", type: "Decimal" },
  { name: "x_CostPerMillionUsd", type: "Decimal" },
  { name: "x_HardwareProfileId", type: "String" },
  { name: "x_HardwareProfile", type: "String" },
];

const CSV_COLUMNS = [
  "day",
  "team_id",
  "team",
  "model_id",
  "model",
  "version_id",
  "version",
  "hardware_profile_id",
  "hardware_profile",
  "requests",
  "cost_usd",
  "cost_per_million_usd",
  "tags",
] as const;

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180); a leading = + - @ is prefixed with ' so spreadsheets do not run it. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const csvLine = (values: readonly string[]): string => `${values.map(csvField).join(",")}\r\n`;

export const spendExportHeader = (format: SpendExportFormatName): string =>
  csvLine(format === "FOCUS" ? FOCUS_COLUMNS.map((c) => c.name) : [...CSV_COLUMNS]);

const dayStart = (day: string) => `${day}T00:00:00Z`;
const nextDay = (day: string) => new Date(Date.parse(dayStart(day)) + 86_400_000).toISOString().replace(".000Z", "Z");
const monthStart = (day: string) => `${day.slice(0, 7)}-01T00:00:00Z`;
const nextMonth = (day: string) => {
  const d = new Date(Date.parse(monthStart(day)));
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().replace(".000Z", "Z");
};

/** One row of the file, as text (CRLF-terminated). */
export function spendExportLine(format: SpendExportFormatName, r: SpendExportRow): string {
  if (format === "CSV") {
    return csvLine([
      r.day,
      r.teamId,
      r.teamName,
      r.modelId,
      r.modelName,
      r.versionId,
      String(r.versionNumber),
      r.hardwareProfileId,
      r.hardwareProfileName,
      r.requests,
      r.costUsd,
      r.costPerMillionUsd,
      r.tags,
    ]);
  }
  return csvLine([
    r.teamId,
    r.teamName,
    monthStart(r.day),
    nextMonth(r.day),
    dayStart(r.day),
    nextDay(r.day),
    "Usage",
    `${r.requests} inferences of ${r.modelName} v${r.versionNumber} on ${r.hardwareProfileName}`,
    r.costUsd,
    r.costUsd,
    r.costUsd,
    r.costUsd,
    "USD",
    r.requests,
    "Inferences",
    "Costgate Inference",
    "AI and Machine Learning",
    r.modelId,
    r.modelName,
    r.tags,
    r.versionId,
    String(r.versionNumber),
    r.requests,
    r.costPerMillionUsd,
    r.hardwareProfileId,
    r.hardwareProfileName,
  ]);
}
