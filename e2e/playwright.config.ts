// End-to-end tests of the dashboard in Debian's Chromium against the real stack, which the
// global setup starts (e2e/support/global-setup.ts): its own database, queue prefix, artifact
// folder and ports, so it runs next to a developer's `npm start`.
//
//   npm test                          runs it after the workspace tests (COSTGATE_SKIP_E2E=1 skips it)
//   npx playwright test -c e2e        just this suite
//
// Screenshots of the main pages go to e2e/artifacts/screenshots/, the stack's logs to
// e2e/artifacts/logs/, traces of failed tests to e2e/test-results/.
import { defineConfig, devices } from "@playwright/test";

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  globalSetup: "./support/global-setup.ts",
  // One worker: the machine has 2 cores and the stack (API, worker, Next.js) needs them.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 180_000,
  expect: {
    timeout: 15_000,
    // Visual baselines (tests/visual.spec.ts): a little anti-aliasing noise passes, a layout change does not.
    toHaveScreenshot: { maxDiffPixelRatio: 0.02, threshold: 0.2, animations: "disabled", caret: "hide" },
  },
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["list"], ["json"]] : [["list"]],
  use: {
    ...devices["Desktop Chrome"],
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.COSTGATE_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  // The visual baselines are shot first, on the data the setup made, before other tests add theirs
  // (with one worker, projects run in this order; no dependency, so a visual failure skips nothing).
  projects: [
    { name: "visual", testMatch: /visual\.spec\.ts$/ },
    { name: "chromium", testIgnore: /visual\.spec\.ts$/ },
  ],
});
