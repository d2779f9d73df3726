import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MoneyDecimal } from "@costgate/core";
import { FOCUS_COLUMNS } from "@costgate/formats";
import { storeCost } from "@costgate/testkit";
import { TestApi } from "../../test/flow.ts";
import { checkDeps, readyModel } from "../../test/budget-fixtures.ts";
import { runSpendExport, scheduleMonthlyExports } from "../features/run-spend-export.ts";

/**
 * Spend exports end to end: usage recorded through the API (with tags), createSpendExport, the
 * worker's `exports` job run directly, and the file downloaded from the API with the caller's
 * Authorization, as a finance tool would.
 */
let api: TestApi;
let deps: ReturnType<typeof checkDeps>;
let teamId: string;
let finance: string;
let viewer: string;
let otherFinance: string;

/** RFC 4180 rows (quoted fields, "" escapes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

beforeAll(async () => {
  // Its webhook points at 127.0.0.1: allowed only with WEBHOOK_ALLOW_PRIVATE_TARGETS.
  api = await TestApi.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" });
  deps = checkDeps(api);
  teamId = await api.createTeam();
  finance = (await api.userToken("FINANCE", teamId)).token;
  viewer = (await api.userToken("VIEWER", teamId)).token;
  otherFinance = (await api.userToken("FINANCE", await api.createTeam())).token;
  const engineer = (await api.userToken("ML_ENGINEER", teamId)).token;
  const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
  const records = [];
  for (const price of ["0.000114", "12.345678"]) {
    const { version } = await readyModel(api.db, teamId);
    await storeCost(api.db, version.id, profile.id, price);
    for (let d = 0; d < 40; d++) {
      const day = new Date(Date.UTC(2026, 1, 10) + d * 86_400_000);
      records.push(
        {
          versionId: version.id,
          requests: 1000 + d * 37,
          occurredAt: day.toISOString(),
          idempotencyKey: `${version.id}-${d}-a`,
          tags: [
            { key: "feature", value: d % 2 ? "search" : 'chat, "beta"' },
            { key: "env", value: "prod" },
          ],
        },
        {
          versionId: version.id,
          requests: 501 + d,
          occurredAt: new Date(day.getTime() + 3_600_000).toISOString(),
          idempotencyKey: `${version.id}-${d}-b`,
        },
      );
    }
  }
  await api.ok(`mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted } }`, { i: records }, engineer);
}, 120_000);

afterAll(async () => {
  await deps?.close();
  await api?.stop();
});

const CREATE = `mutation($i:SpendExportInput!){ createSpendExport(input:$i){ id status url } }`;
const STATUS = `query($id:ID!){ spendExport(id:$id){ id status rows url costUsd error finishedAt } }`;
const range = { from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z" };

describe("spend exports", () => {
  it("FOCUS: every column present with its type, BilledCost adding up to spend, downloaded with the same Authorization", async () => {
    const made = await api.gql<{ createSpendExport: { id: string; status: string; url: string | null } }>(
      CREATE,
      { i: { teamId, ...range, format: "FOCUS" } },
      finance,
    );
    expect(made.errors).toBeUndefined();
    expect(made.data!.createSpendExport).toMatchObject({ status: "QUEUED", url: null });
    const id = made.data!.createSpendExport.id;
    const webhook = {
      i: { teamId, url: "http://127.0.0.1:9/unused", secret: "a-signing-secret-0123", events: ["export.finished"] },
    };
    await api
      .ok(`mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`, webhook, finance)
      .catch(() => undefined);

    const { rows } = await runSpendExport({ ...deps, artifactDir: api.env.ARTIFACT_DIR }, id, { finalAttempt: true });
    const status = (
      await api.ok<{ spendExport: { status: string; rows: number; url: string; costUsd: string } }>(
        STATUS,
        { id },
        finance,
      )
    ).spendExport;
    expect(status).toMatchObject({ status: "SUCCEEDED", rows, url: `/exports/${id}.csv` });

    const res = await fetch(`${api.url}${status.url}`, { headers: { authorization: `Bearer ${finance}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const [header, ...lines] = parseCsv(await res.text());
    expect(header).toEqual(FOCUS_COLUMNS.map((c) => c.name));
    // 2 versions × the 21 March days with usage (10 February + 40 days) × 2 tag sets (tagged and untagged).
    expect(lines).toHaveLength(84);
    expect(rows).toBe(84);
    const check: Record<string, (v: string) => boolean> = {
      String: (v) => typeof v === "string",
      DateTime: (v) => /^\d{4}-\d{2}-\d{2}T00:00:00Z$/.test(v) && !Number.isNaN(Date.parse(v)),
      Decimal: (v) => /^-?\d+(\.\d+)?$/.test(v),
      JSON: (v) => typeof JSON.parse(v) === "object" && !Array.isArray(JSON.parse(v)),
    };
    for (const line of lines)
      FOCUS_COLUMNS.forEach((c, i) => expect(check[c.type]!(line[i]!), `${c.name} = ${line[i]}`).toBe(true));
    const col = (name: string) => FOCUS_COLUMNS.findIndex((c) => c.name === name);
    expect(new Set(lines.map((l) => l[col("BillingCurrency")]))).toEqual(new Set(["USD"]));
    expect(new Set(lines.map((l) => l[col("ChargeCategory")]))).toEqual(new Set(["Usage"]));
    expect(lines.some((l) => JSON.parse(l[col("Tags")]!).feature === 'chat, "beta"')).toBe(true);

    const billed = lines.reduce((s, l) => s.add(l[col("BilledCost")]!), new MoneyDecimal(0));
    const spend = await api.ok<{ spend: { costUsd: string }[] }>(
      `query($t:ID,$from:DateTime!,$to:DateTime!){ spend(teamId:$t, from:$from, to:$to){ costUsd } }`,
      { t: teamId, ...range },
      finance,
    );
    const spent = spend.spend.reduce((s, p) => s.add(p.costUsd), new MoneyDecimal(0));
    expect(spent.gt(0)).toBe(true);
    expect(billed.toFixed(6)).toBe(spent.toFixed(6));
    expect(new MoneyDecimal(status.costUsd).toFixed(6)).toBe(spent.toFixed(6));
    const event = await api.db.webhookDelivery.findFirst({
      where: { event: "export.finished", eventKey: `export.finished:${id}` },
    });
    expect(event?.payload).toMatchObject({ data: { exportId: id, status: "SUCCEEDED", rows: 84 } });
  });

  it("CSV for an admin's export of every team; downloads refused to other roles and teams, and before it finished", async () => {
    const made = await api.ok<{ createSpendExport: { id: string } }>(
      CREATE,
      { i: { teamId, ...range, format: "CSV" } },
      finance,
    );
    const id = made.createSpendExport.id;
    const url = `${api.url}/exports/${id}.csv`;
    const early = await fetch(url, { headers: { authorization: `Bearer ${finance}` } });
    expect(early.status).toBe(400);
    await runSpendExport({ ...deps, artifactDir: api.env.ARTIFACT_DIR }, id, { finalAttempt: true });
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${viewer}` } })).status).toBe(403);
    expect((await fetch(url, { headers: { authorization: `Bearer ${otherFinance}` } })).status).toBe(404);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${finance}` } });
    const [header, first] = parseCsv(await ok.text());
    expect(header![0]).toBe("day");
    expect(first![header!.indexOf("day")]).toBe("2026-03-01");
    // A viewer may not create or read exports.
    const refused = await api.gql(CREATE, { i: { teamId, ...range, format: "CSV" } }, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await api.gql(STATUS, { id }, otherFinance)).data).toEqual({ spendExport: null });
  });

  it("a monthly chargeback export is scheduled once per team and month", async () => {
    await api.ok(
      `mutation($t:ID!){ setSpendExportSchedule(teamId:$t, format: FOCUS, enabled: true){ enabled } }`,
      { t: teamId },
      finance,
    );
    const now = new Date("2026-04-01T01:00:00Z");
    const first = await scheduleMonthlyExports(deps, now);
    expect(await scheduleMonthlyExports(deps, new Date("2026-04-02T05:00:00Z"))).toEqual([]);
    const mine = await api.db.spendExport.findMany({ where: { id: { in: first }, teamId } });
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      format: "FOCUS",
      createdBy: "schedule",
      fromAt: new Date("2026-03-01T00:00:00Z"),
      toAt: new Date("2026-04-01T00:00:00Z"),
    });
  });
});
