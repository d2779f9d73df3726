// An ML_ENGINEER builds a SEARCH policy in the step builder, runs it on the demo model, watches
// the frontier chart appear while the job runs, and promotes a frontier point through the
// promotion dialog. Screenshots of the job page at 1280 and 390 px.
import {
  asAdmin,
  choose,
  expect,
  horizontalOverflow,
  login,
  screenshot,
  seriousViolations,
  stackInfo,
  test,
} from "./fixtures.ts";

test("an ML_ENGINEER runs a time-boxed search and promotes a point of its frontier", async ({ page }) => {
  const { models } = stackInfo();
  const policyName = "Autopilot, 1.5 minutes";
  await login(page, "ML_ENGINEER");

  await page.goto("/policies/new");
  await expect(page.getByRole("heading", { level: 1, name: "New policy" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(policyName);
  await choose(page.getByLabel("Model (optional)"), models.demo.name);
  await page.getByRole("button", { name: "Add step" }).click();
  const step = page.getByRole("group", { name: /^Step 1:/ });
  await choose(step.getByLabel("Kind"), "Search (autopilot)");
  await expect(step).toHaveAccessibleName("Step 1: Search (autopilot)");
  // Ranges from core: the builder refuses a budget over a day before the API sees it.
  await step.getByLabel("Time budget (minutes)").fill("1441");
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(step.getByText("Time budget (minutes) must be at most 1440")).toBeVisible();
  await step.getByLabel("Time budget (minutes)").fill("1.5");
  await step.getByLabel(/^uint8/).uncheck();
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page.getByRole("heading", { level: 1, name: policyName })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("region", { name: "Steps" }).getByRole("listitem")).toHaveText([
    /^Search \(autopilot\)\s+time budget \(minutes\) 1\.5, auto, weight dtypes to try float16/,
  ]);

  await choose(page.getByLabel("Version to optimize"), new RegExp(`^${models.demo.name} v1 `));
  await page.getByRole("button", { name: "Run policy" }).click();
  await expect(page).toHaveURL(/\/jobs\/[^/?]+$/, { timeout: 30_000 });
  const progress = page.getByRole("region", { name: "Progress" });
  const frontier = page.getByRole("region", { name: "Search frontier" });
  // The chart appears while the job runs (the page refreshes itself).
  await expect(
    frontier.getByRole("img", { name: /^Candidates by \$ per 1M inferences and accuracy\. v\d/ }),
  ).toBeVisible({
    timeout: 180_000,
  });
  await expect(progress.getByText(/^Trial \d+ of ≤ \d+ · /)).toBeVisible();
  await expect(progress.getByText("Succeeded", { exact: true })).toBeVisible({ timeout: 300_000 });
  await expect(page.getByRole("region", { name: "Trials" }).getByRole("row").nth(1)).toContainText(/50(\.0)?%/);

  const jobId = page.url().split("/").pop()!;
  const { optimizationJob: job } = await asAdmin(
    `query($id:ID!){ optimizationJob(id:$id){ frontier { id number } } }`,
    { id: jobId },
  );
  expect(job.frontier.length).toBeGreaterThan(0);
  await screenshot(page, "search-job");
  expect(await seriousViolations(page), "serious or critical axe violations on the search job").toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(frontier.getByRole("img")).toHaveCount(1); // the narrow drawing, readable on a phone
  await screenshot(page, "search-job");
  expect(await seriousViolations(page), "serious or critical axe violations at 390 px").toEqual([]);
  expect(await horizontalOverflow(page), "sideways scroll at 390 px").toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Promote the cheapest frontier point through the same dialog and cost gate as the model page.
  const cheapest = job.frontier[0];
  const row = frontier
    .getByRole("row")
    .filter({ hasText: `v${cheapest.number}` })
    .first();
  await row.getByRole("button", { name: "Promote" }).click();
  const dialog = page.getByRole("dialog", { name: `Promote version ${cheapest.number}` });
  // The projection has loaded: "With vN" per month, or "No traffic yet" for a model no tool reported usage of.
  await expect(dialog.getByText("Projecting the monthly cost…")).toBeHidden({ timeout: 30_000 });
  await expect(dialog).toContainText(new RegExp(`With v${cheapest.number}|No traffic yet`));
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(row.getByText("In production")).toBeVisible();
  const { modelVersion } = await asAdmin(`query($id:ID!){ modelVersion(id:$id){ stage } }`, { id: cheapest.id });
  expect(modelVersion.stage).toBe("PRODUCTION");
});
