// A finance lead follows an alert to the spend explorer and breaks the spend down by a tag the
// calling services send.
import { asAdmin, choose, expect, login, screenshot, stackInfo, test } from "./fixtures.ts";

test("an alert links to the spend explorer, pre-filtered; spend breaks down by tag in a chart and a table", async ({
  page,
  consoleErrors,
}) => {
  const { models, teamId } = stackInfo();
  // Usage of the demo model in the last hours, tagged by feature (and some without the tag).
  const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
  const key = `e2e-spend-${Date.now()}`;
  const record = (i: number, requests: number, feature: string | null) => ({
    versionId: models.demo.versionId,
    requests,
    occurredAt: at(1 + (i % 2)),
    idempotencyKey: `${key}-${i}`,
    tags: feature
      ? [
          { key: "feature", value: feature },
          { key: "env", value: "prod" },
        ]
      : [],
  });
  await asAdmin(`mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted } }`, {
    i: [
      record(0, 2_000_000_000, "search"),
      record(1, 1_500_000_000, "search"),
      record(2, 1_000_000_000, "chat"),
      record(3, 500_000_000, null),
    ],
  });
  // A budget far below that spend: the budget check raises an actual-spend alert.
  const budgetName = `Explorer budget ${Date.now()}`;
  await asAdmin(`mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id } }`, {
    i: { name: budgetName, teamId, modelId: models.demo.id, amountUsd: "0.000001", period: "MONTHLY" },
  });

  await login(page, "FINANCE");
  const alert = page
    .getByRole("region", { name: /Open alerts/ })
    .getByRole("listitem")
    .filter({ hasText: budgetName });
  await expect(async () => {
    await page.goto("/");
    await expect(alert.first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 90_000 });

  // The alert's link opens the explorer on the budget's model and month, by version.
  await alert.first().getByRole("link", { name: "Explore spend" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Spend explorer" })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`model=${models.demo.id}.*groupBy=VERSION`));
  await expect(page.getByLabel("Model")).toHaveValue(models.demo.id);
  await expect(page.getByLabel("Group by", { exact: true })).toHaveValue("VERSION");
  const table = page.getByRole("table");
  await expect(
    table
      .getByRole("row")
      .filter({ hasText: `${models.demo.name} v` })
      .first(),
  ).toBeVisible();

  // By tag: search, chat, and the usage without the tag; the chart stacks them.
  await choose(page.getByLabel("Group by", { exact: true }), "Tag");
  await page.getByLabel("Tag to group by").fill("feature");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/groupBy=TAG/);
  await expect(table.getByRole("row").filter({ hasText: "search" })).toBeVisible();
  await expect(table.getByRole("row").filter({ hasText: "chat" })).toBeVisible();
  await expect(table.getByRole("row").filter({ hasText: "(no feature tag)" })).toBeVisible();
  await expect(page.getByTestId("stacked-spend-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  // search (3.5 bn inferences) spends more than chat (1 bn): listed first, with its share.
  const rows = await table.locator("tbody tr td:first-child").allTextContents();
  expect(rows.indexOf("search")).toBeLessThan(rows.indexOf("chat"));
  await expect(table.getByRole("row").filter({ hasText: "search" }).getByRole("cell").nth(3)).toHaveText(/^[\d,]+$/);

  await screenshot(page, "spend-explorer");

  // A range the API refuses says why.
  await page.getByLabel("From").fill("2030-01-02");
  await page.getByLabel("To (exclusive)").fill("2030-01-01");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("must be before");
  expect(consoleErrors).toEqual([]);
});
