// A finance lead reads on the overview why a model's spend left its expected range yesterday:
// the anomaly (as the worker's hourly detection stores it: apps/worker detect-anomalies, with its
// own tests) split into price and traffic, with a link to the explorer on that model and day.
import { createDb } from "@costgate/db";
import { expect, login, screenshot, stackInfo, test } from "./fixtures.ts";

test("the overview lists yesterday's spend anomaly, says it was mostly price, and links to that day's spend", async ({
  page,
  consoleErrors,
}) => {
  const { models, teamId, databaseUrl } = stackInfo();
  const today = new Date();
  const yesterday = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 1));
  const day = yesterday.toISOString().slice(0, 10);
  const db = createDb(databaseUrl, { maxConnections: 1 });
  try {
    await db.spendAnomaly.upsert({
      where: { modelId_day: { modelId: models.demo.id, day: yesterday } },
      create: {
        modelId: models.demo.id,
        teamId,
        day: yesterday,
        versionId: models.demo.versionId,
        expectedUsd: "12.000000",
        lowUsd: "9.000000",
        highUsd: "15.000000",
        actualUsd: "41.500000",
        priceEffectUsd: "27.250000",
        volumeEffectUsd: "2.250000",
        expectedRequests: 1_000_000n,
        actualRequests: 1_080_000n,
      },
      update: {},
    });
  } finally {
    await db.$disconnect();
  }

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await login(page, "FINANCE");
    const card = page.getByRole("region", { name: /Spend anomalies, last 14 days/ });
    const row = card.getByRole("row").filter({ hasText: models.demo.name });
    await expect(row).toContainText("$41.50");
    await expect(row).toContainText("$12.00");
    await expect(row).toContainText("Mostly price per inference");
    await expect(row).toContainText("price +$27.25, volume +$2.25");
    await screenshot(page, "overview-anomalies");
    await page.context().clearCookies();
  }

  await login(page, "FINANCE");
  await page
    .getByRole("region", { name: /Spend anomalies/ })
    .getByRole("row")
    .filter({ hasText: models.demo.name })
    .getByRole("link", { name: "Explore spend" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Spend explorer" })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`model=${models.demo.id}.*from=${day}.*groupBy=VERSION`));
  expect(consoleErrors).toEqual([]);
});
