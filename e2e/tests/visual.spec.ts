// Visual regression: every page at 1280 and 390 px compared with the committed baselines in
// e2e/tests/visual.spec.ts-snapshots/ (toHaveScreenshot, a small tolerance). It runs first (project "visual" in
// playwright.config.ts), on the data the stack's setup made, so the baselines do not depend on what
// other tests add. What changes from run to run is made constant before the shot: dates and times,
// ids, measured numbers (costs, latencies, throughput) are replaced by fixed text, charts are masked.
// The model and job pages, whose measured verdicts can change their layout, are shot to the fold.
//
//   node node_modules/@playwright/test/cli.js test -c e2e visual.spec.ts --update-snapshots
//
// rewrites the baselines; look at every one before committing them.
import type { Page } from "@playwright/test";
import { asAdmin, expect, login, stackInfo, test } from "./fixtures.ts";

interface Shot {
  name: string;
  path: () => string;
  /** Shot to the fold only: the page's lower part depends on measurements. */
  fold?: boolean;
}

const shots: Shot[] = [
  { name: "overview", path: () => "/" },
  { name: "budgets", path: () => "/budgets" },
  { name: "budget", path: () => `/budgets/${stackInfo().demoBudget.id}` },
  { name: "budget-new", path: () => "/budgets/new" },
  { name: "models", path: () => "/models" },
  { name: "model", path: () => `/models/${stackInfo().models.demo.id}`, fold: true },
  { name: "model-empty", path: () => `/models/${stackInfo().models.upload.id}` },
  { name: "policies", path: () => "/policies" },
  { name: "policy", path: () => `/policies/${stackInfo().demoPolicyId}` },
  { name: "policy-new", path: () => "/policies/new" },
  { name: "jobs", path: () => "/jobs" },
  { name: "job", path: () => `/jobs/${stackInfo().demoJobId}`, fold: true },
  { name: "admin-hardware", path: () => "/admin/hardware" },
  { name: "admin-users", path: () => "/admin/users" },
  { name: "admin-webhooks", path: () => "/admin/webhooks" },
  { name: "admin-audit", path: () => "/admin/audit" },
];

/** Text that differs between runs, and what it becomes. Order matters: dates before bare numbers. */
const VOLATILE: [RegExp, string][] = [
  // A job's outcome in words depends on its measurements (saved measurably or not).
  [/^Done: .+$/g, "Done: the outcome of the job."],
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "2026-01-01T00:00:00.000Z"],
  [/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}, \d{2}:\d{2}( UTC)?/g, "Jan 1, 2026, 00:00 UTC"],
  [/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}/g, "Jan 1, 2026"],
  [/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}\b/g, "Jan 1"],
  [/\bc[a-z0-9]{20,30}\b/g, "c000000000000000000000000"],
  [/\b(?=[a-z]*\d)[a-z0-9]{8}\b(?=\s*$)/g, "00000000"],
  // Measured costs have four or more decimals; amounts of money set by people (budgets) stay as they are.
  [/\$\d[\d,]*\.\d{4,}/g, "$0.000300"],
  [/±\s?<?\d+(\.\d+)?%/g, "±10%"],
  // A job's wait and running time ("waited under a second, ran 12 s") depend on the machine.
  [/under a second/g, "10 ms"],
  [/\d[\d,]*(\.\d+)?\s?(ms|s|min|h)\b/g, "10 ms"],
  [/\d[\d,]*(\.\d+)?\/s\b/g, "80,000/s"],
  [/\(\d\.\d\d–\d\.\d\d×\)/g, "(0.90–1.10×)"],
  [/\d\.\d\d×/g, "1.00×"],
];

/** Replaces run-dependent text with constant text, so layout and pixels stay comparable. */
async function stabilize(page: Page): Promise<void> {
  await page.evaluate(
    (rules) => {
      const patterns = rules.map(([source, flags, to]) => [new RegExp(source, flags), to] as const);
      const walker = document.createTreeWalker(document.querySelector("main") ?? document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        let text = node.textContent ?? "";
        for (const [pattern, to] of patterns) text = text.replace(pattern, to);
        if (text !== node.textContent) node.textContent = text;
      }
    },
    VOLATILE.map(([re, to]) => [re.source, re.flags, to] as const),
  );
}

test.beforeAll(async () => {
  // The demo job finishes before its pages are shot (it runs while the stack comes up).
  const id = stackInfo().demoJobId;
  await expect
    .poll(
      async () => (await asAdmin(`query($id:ID!){ optimizationJob(id:$id){ status } }`, { id })).optimizationJob.status,
      { message: "the demo optimization job to finish", timeout: 180_000, intervals: [1_000] },
    )
    .toBe("SUCCEEDED");
});

for (const shot of shots) {
  test(`${shot.name} looks as it did (1280 and 390 px)`, async ({ page }) => {
    await login(page, "ADMIN");
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 1280 ? 800 : 844 });
      await page.goto(shot.path());
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 30_000 });
      // After hydration only: React 19 re-renders a tree whose text differs from the server's.
      await page.waitForFunction(() => {
        const main = document.querySelector("main");
        return !!main && Object.keys(main).some((k) => k.startsWith("__reactFiber"));
      });
      await page.waitForLoadState("networkidle");
      await stabilize(page);
      await expect(page).toHaveScreenshot(`${shot.name}-${width}.png`, {
        fullPage: !shot.fold,
        mask: [
          page.locator(".chart, .recharts-responsive-container, .thumbnails, .cost-metric-chart, .frontier-chart svg"),
        ],
        maskColor: "#c0c4cc",
      });
    }
  });
}
