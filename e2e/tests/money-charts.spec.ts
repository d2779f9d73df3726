// What a finance lead reads off the money charts, with known spend (support/money-fixtures.ts) on
// a stack whose clock stands still on 2026-11-20 12:00 UTC (support/frozen-stack.ts), so the
// pictures are the same every day: bars scaled to the budget, the forecast past 100% named at the
// bar's end, threshold marks where they belong, one dollar axis for daily bars and cumulative
// spend, labels that never overlap and tiny amounts that read as what they are. Each chart is
// also compared with its screenshot baseline (tests/money-charts.spec.ts-snapshots/).
import type { Locator, Page } from "@playwright/test";
import { createDb } from "@costgate/db";
import { startFrozenStack, type FrozenStack } from "../support/frozen-stack.ts";
import { CHART_USER, seedChartData, type ChartBudgets } from "../support/money-fixtures.ts";
import { expect, screenshot, stackInfo, test } from "./fixtures.ts";

const FROZEN_NOW = "2026-11-20T12:00:00.000Z";
const WIDTHS = [1280, 390] as const;
const SNAPSHOT = { maxDiffPixelRatio: 0.02, animations: "disabled" } as const;

let frozen: FrozenStack;
let budgets: ChartBudgets;
const status: Record<string, { spentUsd: string; forecastUsd: string }> = {};

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  frozen = await startFrozenStack(stackInfo(), FROZEN_NOW);
  budgets = await seedChartData(frozen, stackInfo());
  const token = await frozen.login(CHART_USER.email, CHART_USER.password);
  for (const b of [budgets.main, budgets.tight, budgets.tiny]) {
    const { budget } = await frozen.gql<{ budget: { status: { spentUsd: string; forecastUsd: string } } }>(
      `query($id:ID!){ budget(id:$id){ status { spentUsd forecastUsd } } }`,
      { id: b.id },
      token,
    );
    status[b.id] = budget.status;
  }
});

test.afterAll(async () => {
  await frozen?.stop();
});

async function signIn(page: Page, width: number) {
  await page.setViewportSize({ width, height: 900 });
  // The chart draws "today" in the browser: the browser's clock stands still with the API's.
  await page.clock.setFixedTime(new Date(FROZEN_NOW));
  await page.goto(`${frozen.webUrl}/login`);
  await page.getByLabel("Email").fill(CHART_USER.email);
  await page.getByLabel("Password").fill(CHART_USER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/, { timeout: 30_000 });
}

type Box = { x: number; y: number; width: number; height: number };
const boxes = async (l: Locator): Promise<Box[]> =>
  (await l.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) as Box[];
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
function expectNoOverlap(list: Box[], what: string) {
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++)
      expect(overlaps(list[i]!, list[j]!), `${what} ${i} and ${j} overlap: ${JSON.stringify([list[i], list[j]])}`).toBe(
        false,
      );
}

/** What one budget meter draws, in px of its bar. */
async function readMeter(meter: Locator) {
  const bar = (await meter.locator(".meter").boundingBox())!;
  const budget = (await meter.locator(".meter-budget").boundingBox())!;
  const spent = (await meter.locator(".meter .spent").boundingBox())!;
  const forecast = (await meter.locator(".meter .forecast").boundingBox())!;
  const marks = await meter
    .locator(".meter .mark")
    .evaluateAll((els) =>
      els.map((e) => ({ t: Number(e.getAttribute("data-threshold")), x: e.getBoundingClientRect().x + 1 })),
    );
  return { bar, budget, spent, forecast, marks, labels: await boxes(meter.locator(".meter-label:visible")) };
}

async function expectMeterScaledToBudget(meter: Locator, budgetId: string, amount: number) {
  const m = await readMeter(meter);
  const spentShare = Number(status[budgetId]!.spentUsd) / amount;
  const forecastShare = Number(status[budgetId]!.forecastUsd) / amount;
  // 100% is the budget: the spent bar is spent ÷ budget of the budget's width (capped at the bar's end).
  expect(m.spent.width / m.budget.width).toBeCloseTo(Math.min(spentShare, m.bar.width / m.budget.width), 1);
  expect(m.forecast.width / m.budget.width).toBeCloseTo(Math.min(forecastShare, m.bar.width / m.budget.width), 1);
  for (const mark of m.marks) expect(Math.abs(mark.x - (m.bar.x + mark.t * m.budget.width))).toBeLessThan(2);
  expectNoOverlap(m.labels, "threshold labels");
  return m;
}

for (const width of WIDTHS) {
  test(`budget meters are scaled to the budget, with the forecast past 100% named (${width} px)`, async ({
    page,
    consoleErrors,
  }) => {
    await signIn(page, width);
    await page.goto(`${frozen.webUrl}/`);
    const card = page.getByRole("region", { name: "Budgets this period" });
    const item = (name: string) => card.getByRole("listitem").filter({ has: page.getByRole("link", { name }) });

    // $0.55 of $1.00 is 55% of the budget's width, not a sliver; marks at 50/80/100% of it.
    const main = await expectMeterScaledToBudget(item(budgets.main.name), budgets.main.id, 1);
    expect(main.spent.width / main.budget.width).toBeCloseTo(0.55, 2);
    expect(main.marks.map((m) => m.t)).toEqual([0.5, 0.8, 1]);

    // 275% spent and a larger forecast: both capped at the bar's end, the forecast's number said there.
    const tight = item(budgets.tight.name);
    const t = await expectMeterScaledToBudget(tight, budgets.tight.id, 0.2);
    expect(t.spent.x + t.spent.width).toBeCloseTo(t.bar.x + t.bar.width, 0);
    const forecast = Number(status[budgets.tight.id]!.forecastUsd);
    await expect(tight.locator(".meter-over-label")).toHaveText(
      new RegExp(`Forecast \\$${forecast.toFixed(2)} \\([\\d,.]+%\\) ▸`),
    );
    // Close thresholds (90, 95, 100%) get labels side by side, not on top of each other.
    expect(t.labels).toHaveLength(3);

    // A tiny budget's spend reads as what it is.
    await expect(item(budgets.tiny.name)).toContainText("$0.000114 spent of $0.0010 (11.4%)");

    await expect(card).toHaveScreenshot(`overview-meters-${width}.png`, SNAPSHOT);
    await screenshot(page, "money-overview");

    await page.goto(`${frozen.webUrl}/budgets`);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: budgets.main.name }) });
    await expectMeterScaledToBudget(row, budgets.main.id, 1);
    const tightRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: budgets.tight.name }) });
    const tr = await expectMeterScaledToBudget(tightRow, budgets.tight.id, 0.2);
    // The forecast's number stays over its own bar, never over the next column.
    const over = (await tightRow.locator(".meter-over-label").boundingBox())!;
    expect(over.x).toBeGreaterThanOrEqual(tr.bar.x - 1);
    await expect(page.getByRole("table")).toHaveScreenshot(`budgets-list-meters-${width}.png`, SNAPSHOT);
    await screenshot(page, "money-budgets");
    expect(consoleErrors).toEqual([]);
  });

  test(`the daily spend chart has one dollar axis and labels that never overlap (${width} px)`, async ({
    page,
    consoleErrors,
  }) => {
    await signIn(page, width);
    await page.goto(`${frozen.webUrl}/budgets/${budgets.main.id}`);
    const chart = page.locator(".spend-chart");
    await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();

    // One axis, starting at $0, in cents: the $0.50 day reaches the $0.50 tick.
    const ticks = chart.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value");
    await expect(ticks).toHaveText(["$0.00", "$0.50", "$1.00", "$1.50"]);
    expect(await chart.locator(".recharts-yAxis-tick-labels").count()).toBe(1);
    const tickBoxes = await boxes(ticks);
    const yOf = (i: number) => tickBoxes[i]!.y + tickBoxes[i]!.height / 2;
    const bars = await boxes(chart.locator(".recharts-bar-rectangle path, .recharts-bar-rectangle rect"));
    const tallest = bars.reduce((a, b) => (b.height > a.height ? b : a));
    expect(Math.abs(tallest.y - yOf(1))).toBeLessThan(2.5); // top of the $0.50 bar on the $0.50 tick
    expect(Math.abs(tallest.y + tallest.height - yOf(0))).toBeLessThan(2.5); // and it stands on $0
    // Spent so far ($0.55) ends at 55% of the way to the $1.00 line, not flattened.
    const labels = chart.locator(".line-labels text");
    await expect(labels).toHaveText(["50% · $0.50", "80% · $0.80", "Budget $1.00"]);
    expectNoOverlap(await boxes(labels), "line labels");
    await expect(page.locator("figure").filter({ has: chart })).toHaveScreenshot(`spend-chart-${width}.png`, SNAPSHOT);
    await screenshot(page, "money-budget");

    // Close thresholds and a forecast far above the budget: labels apart, the forecast named at the top.
    await page.goto(`${frozen.webUrl}/budgets/${budgets.tight.id}`);
    await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();
    await expect(ticks).toHaveText(["$0.00", "$0.20", "$0.40", "$0.60"]);
    const forecast = Number(status[budgets.tight.id]!.forecastUsd);
    await expect(labels).toHaveText([
      "90% · $0.18",
      "95% · $0.19",
      "Budget $0.20",
      width > 500
        ? new RegExp(`^Forecast \\$${forecast.toFixed(2)} \\([\\d,.]+%\\) ↑ above the chart$`)
        : `Forecast $${forecast.toFixed(2)} ↑`,
    ]);
    const tightBoxes = await boxes(labels);
    expectNoOverlap(tightBoxes, "line labels");
    const plot = (await chart.locator(".recharts-cartesian-grid").boundingBox())!;
    for (const b of tightBoxes) {
      expect(b.x).toBeGreaterThanOrEqual(plot.x - 1);
      expect(b.x + b.width).toBeLessThanOrEqual(plot.x + plot.width + 1);
      expect(b.y).toBeGreaterThanOrEqual(plot.y - 14);
    }
    await expect(page.locator("figure").filter({ has: chart })).toHaveScreenshot(
      `spend-chart-tight-${width}.png`,
      SNAPSHOT,
    );
    await screenshot(page, "money-budget-tight");

    // Tiny money: the axis and the numbers say how much, not "$0.00".
    await page.goto(`${frozen.webUrl}/budgets/${budgets.tiny.id}`);
    await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();
    await expect(ticks).toHaveText(["$0.0000", "$0.0005", "$0.0010", "$0.0015"]);
    await expect(page.getByRole("region", { name: "This period" })).toContainText("$0.000114");
    await expect(page.locator("figure").filter({ has: chart })).toHaveScreenshot(
      `spend-chart-tiny-${width}.png`,
      SNAPSHOT,
    );
    await screenshot(page, "money-budget-tiny");
    expect(consoleErrors).toEqual([]);
  });
}

test("an acknowledged alert says who acknowledged it and when, on its budget's page", async ({
  page,
  consoleErrors,
}) => {
  // An alert of the tight budget's period, as the budget check raises it.
  const db = createDb(stackInfo().databaseUrl, { maxConnections: 1 });
  try {
    await db.alert.create({
      data: {
        budgetId: budgets.tight.id,
        kind: "THRESHOLD_ACTUAL",
        threshold: 1,
        spentUsd: "0.550000",
        forecastUsd: status[budgets.tight.id]!.forecastUsd,
        periodStart: new Date("2026-11-01T00:00:00Z"),
      },
    });
  } finally {
    await db.$disconnect();
  }
  for (const width of WIDTHS) {
    await signIn(page, width);
    await page.goto(`${frozen.webUrl}/budgets/${budgets.tight.id}`);
    const alerts = page.getByRole("region", { name: "Alerts" });
    // The main stack's worker checks budgets too and may have raised alerts of its own: this one is the Actual one.
    const ours = alerts.getByRole("row").filter({ hasText: "Actual" }).first();
    if (width === WIDTHS[0]) await ours.getByRole("button", { name: "Acknowledge" }).click();
    await expect(ours).toContainText(/Nov 20, 2026, 12:00 UTC\s*by Carla Charts/);
    await screenshot(page, "money-alert-acknowledged");
  }
  // The overview's alert links to its budget (it is acknowledged now, so it is not listed there).
  expect(consoleErrors).toEqual([]);
});

test("a FINANCE user registers a webhook that posts Slack messages", async ({ page, consoleErrors }) => {
  await signIn(page, 1280);
  await page.goto(`${frozen.webUrl}/admin/webhooks`);
  await page.getByLabel("URL").fill("http://127.0.0.1:9/slack-hook");
  await page.getByLabel("Message format").selectOption({ label: "Slack message (incoming webhook: readable text)" });
  await page.getByLabel("Signing secret").fill("a-signing-secret-of-32-characters!");
  await page.getByRole("button", { name: "Create webhook" }).click();
  await expect(page.getByText(/created for .* \(Slack messages\)\./)).toBeVisible();
  await expect(page.getByText(/Events: .* · Slack messages/)).toBeVisible();
  await screenshot(page, "money-webhooks");
  expect(consoleErrors).toEqual([]);
});
