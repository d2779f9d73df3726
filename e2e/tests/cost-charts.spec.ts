// Issue #16, defects 3 and 4. The cost × quality chart: padded axes that never go below $0 or
// outside 0–100% (with one version too), dots labelled with their version, a tooltip with
// version, $/1M ± uncertainty, metric and stage, no dot half outside the plot. And $/1M
// explained where it appears: the hardware profile and its price, backend and batch, a link to
// the measurement, and a switch of the cost view between the profiles that measured the model.
import { createDb } from "@costgate/db";
import { storeCost } from "@costgate/testkit";
import type { Locator, Page } from "@playwright/test";
import {
  asAdmin,
  expect,
  horizontalOverflow,
  login,
  modelWithVersions,
  screenshot,
  stackInfo,
  test,
} from "./fixtures.ts";

const CHART = "svg.cost-metric-chart.chart-wide";

/** Axis tick labels and the geometry of every dot against the plot's frame. */
async function chartFacts(chart: Locator) {
  return chart.evaluate((svg) => {
    const frame = (svg.querySelector(":scope > rect") as SVGGraphicsElement).getBBox();
    const dots = Array.from(svg.querySelectorAll(".chart-point circle")).map((c) => {
      const b = (c as SVGCircleElement).getBBox();
      return { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height };
    });
    const ticks = Array.from(svg.querySelectorAll(":scope > g > text")).map((t) => t.textContent ?? "");
    const labels = Array.from(svg.querySelectorAll(".chart-point > text")).flatMap((t) =>
      (t.textContent ?? "").split(", "),
    );
    return {
      frame: { x0: frame.x, y0: frame.y, x1: frame.x + frame.width, y1: frame.y + frame.height },
      dots,
      ticks,
      labels,
    };
  });
}

async function expectSaneChart(page: Page, versions: number[]) {
  const chart = page.locator(CHART).first();
  await expect(chart).toBeVisible();
  const f = await chartFacts(chart);
  expect(f.labels.sort()).toEqual(versions.map((n) => `v${n}`).sort());
  for (const d of f.dots) {
    expect(d.x0).toBeGreaterThanOrEqual(f.frame.x0);
    expect(d.x1).toBeLessThanOrEqual(f.frame.x1);
    expect(d.y0).toBeGreaterThanOrEqual(f.frame.y0);
    expect(d.y1).toBeLessThanOrEqual(f.frame.y1);
  }
  const money = f.ticks.filter((t) => t.includes("$"));
  const shares = f.ticks.filter((t) => t.endsWith("%"));
  expect(money.length).toBeGreaterThan(0);
  expect(shares.length).toBeGreaterThan(0);
  for (const t of money) expect(t).not.toMatch(/[-−]/);
  for (const t of shares) {
    const v = Number(t.replace("%", ""));
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(100);
  }
  // The tooltip of a dot: version, $/1M ± uncertainty, metric and stage.
  const first = chart.locator(".chart-point").first();
  const tip = first.locator(".chart-tip");
  await expect(tip).toBeHidden();
  await first.locator("circle").hover();
  await expect(tip).toBeVisible();
  await expect(tip).toHaveText(/^v\d+ · \$[\d.,]+ (±[\d.]+% )?per 1M · Accuracy [\d.]+% · [A-Z][a-z]+/);
}

test("one version: padded axes within $0+ and 0–100%, a labelled dot with its tooltip", async ({
  page,
  consoleErrors,
}) => {
  const single = await modelWithVersions("Single version", 1);
  await login(page, "ML_ENGINEER");
  await page.goto(`/models/${single.id}`);
  await expectSaneChart(page, [1]);
  await screenshot(page, "model-one-version");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.locator("svg.cost-metric-chart.chart-narrow").first()).toBeVisible();
  await screenshot(page, "model-one-version");
  expect(consoleErrors).toEqual([]);
});

test("several versions and hardware profiles: labels, tooltips, $/1M explained and switchable", async ({
  page,
  consoleErrors,
}) => {
  const info = stackInfo();
  const several = await modelWithVersions("Several versions", 3);
  // v1 and v2 measured on a second profile too (stored as a measurement worker of that profile
  // would), at the same $/1M: one artifact, so the same accuracy too, and one dot for both.
  const { hardwareProfiles } = await asAdmin(`{ hardwareProfiles { id name isDefault hourlyPriceUsd } }`);
  const gpu = hardwareProfiles.find((p: any) => p.name === "g5.xlarge");
  const db = createDb(info.databaseUrl, { maxConnections: 1 });
  try {
    await storeCost(db, several.versionIds[0]!, gpu.id, "0.731200");
    await storeCost(db, several.versionIds[1]!, gpu.id, "0.731200");
  } finally {
    await db.$disconnect();
  }

  await login(page, "ML_ENGINEER");
  await page.goto(`/models/${several.id}`);
  await expectSaneChart(page, [1, 2, 3]);
  // $/1M names the profile and its price, backend and batch, and links to its measurement.
  const versions = page
    .getByRole("table")
    .filter({ has: page.getByRole("columnheader", { name: "$/1M" }) })
    .first();
  const v1 = versions.getByRole("row").filter({ has: page.getByRole("cell", { name: "v1", exact: true }) });
  const defaultProfile = hardwareProfiles.find((p: any) => p.isDefault);
  const how = v1.getByRole("link", {
    name: new RegExp(`^${defaultProfile.name} \\(\\$[\\d.]+/h\\) · \\w+ · batch \\d+$`),
  });
  await expect(how).toBeVisible();
  const target = (await how.getAttribute("href"))!;
  expect(target).toMatch(/^#measurement-/);
  await how.click();
  await expect(page.locator(target)).toBeInViewport();
  await expect(page.locator(target)).toContainText(defaultProfile.name);

  // Switch the cost view to the other profile: v1's $/1M is the one measured there.
  const view = page.getByRole("navigation", { name: "Cost view: hardware profile" });
  await expect(view.getByRole("link", { name: new RegExp(`^${defaultProfile.name}`) })).toHaveAttribute(
    "aria-current",
    "true",
  );
  await view.getByRole("link", { name: /^g5\.xlarge \(\$1\.01\/h\)$/ }).click();
  await expect(page).toHaveURL(new RegExp(`profile=${gpu.id}`));
  await expect(v1.getByRole("cell").filter({ hasText: "$0.73" })).toBeVisible();
  await expect(v1.getByRole("link", { name: /^g5\.xlarge \(\$1\.01\/h\) · / })).toBeVisible();
  await expect(page.getByText(/as last measured on g5\.xlarge \(\$1\.01\/h\)/)).toBeVisible();
  await expectSaneChart(page, [1, 2]); // only v1 and v2 were measured on g5.xlarge
  // At the same place, they share a dot: labelled with both, its tooltip a line for each.
  const shared = page.locator(CHART).first().locator(".chart-point");
  await expect(shared).toHaveCount(1);
  await expect(shared.locator("> text")).toHaveText("v1, v2");
  await shared.locator("circle").hover();
  await expect(shared.locator(".chart-tip text")).toHaveText([
    /^v1 · \$0\.731 per 1M · Accuracy /,
    /^v2 · \$0\.731 per 1M · Accuracy /,
  ]);
  await screenshot(page, "model-cost-view");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.locator("svg.cost-metric-chart.chart-narrow").first()).toBeVisible();
  expect(await horizontalOverflow(page)).toBe(0);
  await screenshot(page, "model-cost-view");
  expect(consoleErrors).toEqual([]);
});
