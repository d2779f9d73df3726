// Every main page as an ADMIN sees it: it renders its heading without console errors, an axe-core
// scan finds no serious or critical violation, it fits a 390 px wide phone without sideways
// scrolling, and a full-page screenshot at 1280 px and at 390 px is saved in e2e/artifacts/screenshots/;
// the axe scans run again with prefers-color-scheme: dark (dark mode follows the system setting).
import {
  asAdmin,
  expect,
  horizontalOverflow,
  login,
  screenshot,
  seriousViolations,
  stackInfo,
  test,
} from "./fixtures.ts";

interface MainPage {
  name: string;
  path: () => Promise<string>;
  /** The page's one <h1> (apps/web/README.md lists them). */
  heading: () => string;
}

/** The demo job the setup started, finished (the page then shows its candidates and verdicts). */
async function finishedDemoJob(): Promise<string> {
  const id = stackInfo().demoJobId;
  await expect
    .poll(
      async () => (await asAdmin(`query($id:ID!){ optimizationJob(id:$id){ status } }`, { id })).optimizationJob.status,
      {
        message: "the demo optimization job to finish",
        timeout: 180_000,
        intervals: [1_000],
      },
    )
    .toBe("SUCCEEDED");
  return `/jobs/${id}`;
}

const pages: MainPage[] = [
  { name: "overview", path: async () => "/", heading: () => "Overview" },
  { name: "budgets", path: async () => "/budgets", heading: () => "Budgets" },
  {
    name: "budget",
    path: async () => `/budgets/${stackInfo().demoBudget.id}`,
    heading: () => stackInfo().demoBudget.name,
  },
  { name: "budget-new", path: async () => "/budgets/new", heading: () => "New budget" },
  { name: "models", path: async () => "/models", heading: () => "Models" },
  {
    name: "model",
    path: async () => `/models/${stackInfo().models.demo.id}`,
    heading: () => stackInfo().models.demo.name,
  },
  { name: "policies", path: async () => "/policies", heading: () => "Policies" },
  { name: "policy", path: async () => `/policies/${stackInfo().demoPolicyId}`, heading: () => "Quantize to uint8" },
  { name: "policy-new", path: async () => "/policies/new", heading: () => "New policy" },
  { name: "jobs", path: async () => "/jobs", heading: () => "Jobs" },
  { name: "job", path: finishedDemoJob, heading: () => `Quantize to uint8 on ${stackInfo().models.demo.name} v1` },
  { name: "admin-hardware", path: async () => "/admin/hardware", heading: () => "Hardware profiles" },
  { name: "admin-users", path: async () => "/admin/users", heading: () => "Users and API keys" },
  { name: "admin-webhooks", path: async () => "/admin/webhooks", heading: () => "Webhooks" },
  { name: "admin-audit", path: async () => "/admin/audit", heading: () => "Audit log" },
];

test("login page: accessible, screenshots at 1280 and 390 px", async ({ page, consoleErrors }) => {
  await page.goto("/login");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  expect(await seriousViolations(page), "serious or critical axe violations on /login").toEqual([]);
  await screenshot(page, "login");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  expect(await horizontalOverflow(page), "/login scrolls sideways at 390 px").toBeLessThanOrEqual(0);
  await screenshot(page, "login");
  expect(consoleErrors).toEqual([]);
});

for (const main of pages) {
  test(`${main.name} page: accessible, screenshots at 1280 and 390 px`, async ({ page, consoleErrors }) => {
    const path = await main.path();
    await login(page, "ADMIN");
    await page.goto(path);
    const h1 = page.getByRole("heading", { level: 1 });
    await expect(h1).toHaveText(main.heading());
    // Loading states settle before the scan and the screenshot.
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
    expect(await seriousViolations(page), `serious or critical axe violations on ${path}`).toEqual([]);
    await screenshot(page, main.name);

    await page.setViewportSize({ width: 390, height: 844 });
    await expect(h1).toBeVisible();
    expect(await horizontalOverflow(page), `${path} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page), `serious or critical axe violations on ${path} at 390 px`).toEqual([]);
    await screenshot(page, main.name);

    // Dark mode follows the system setting: the same scans with prefers-color-scheme: dark.
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await seriousViolations(page), `axe violations on ${path} at 390 px, dark`).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await seriousViolations(page), `axe violations on ${path} at 1280 px, dark`).toEqual([]);
    await screenshot(page, `${main.name}-dark`);
    expect(consoleErrors, `console errors on ${path}`).toEqual([]);
  });
}
