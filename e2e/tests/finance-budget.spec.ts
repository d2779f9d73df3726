// A finance lead creates a monthly budget for their team and finds it on the overview.
import { choose, expect, login, test } from "./fixtures.ts";

test("a FINANCE user creates a budget and sees it on the overview", async ({ page, consoleErrors }) => {
  const name = "Fraud inference (monthly)";
  await login(page, "FINANCE");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();

  await page.goto("/budgets");
  await expect(page.getByRole("heading", { level: 1, name: "Budgets" })).toBeVisible();
  await page
    .getByRole("link", { name: "New budget" })
    .or(page.getByRole("button", { name: "New budget" }))
    .first()
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "New budget" })).toBeVisible();

  // An empty form is refused with a message next to the field, nothing is created.
  await page.getByRole("button", { name: "Create budget" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New budget" })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAccessibleDescription(/.+/);

  await page.getByLabel("Name", { exact: true }).fill(name);
  await choose(page.getByLabel("Team"), "Fraud Detection");
  await page.getByLabel("Amount (USD)").fill("2500");
  await choose(page.getByLabel("Period"), /monthly/i);
  await page.getByLabel("Alert thresholds").fill("50, 80, 100");
  await page.getByRole("button", { name: "Create budget" }).click();

  // The budget's own page, then the list and the overview show it.
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("$2,500.00").first()).toBeVisible();

  await page.goto("/budgets");
  await expect(page.getByRole("link", { name })).toBeVisible();

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Budgets this period" }).getByRole("link", { name })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
