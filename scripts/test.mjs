#!/usr/bin/env node
// `npm test`: the static checks (format:check, typecheck, lint, knip), then every workspace's tests
// (turbo run test), the printed GraphQL schema is current, the public contract holds, and the e2e
// suite when there is one; the longest workspace suite (BESIDE) runs beside those. The very last line printed
// is `N passed, N failed` (what CI reads); the exit code is non-zero when anything failed or
// when no test ran at all.
//
// Each workspace's vitest.config.ts uses vitest.shared.ts, which writes reports/<package>.json;
// those reports are the source of the counts. A check outside vitest (format, lint, typecheck, knip,
// schema, contract) counts as one test. Set COSTGATE_SKIP_E2E=1 to leave the e2e suite out.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const reportsDir = join(root, "reports");
const e2eReport = join(reportsDir, "e2e.playwright.json");

/** One line per problem found outside the reports, listed again just before the totals. */
const problems = [];
const tally = { passed: 0, failed: 0 };

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", ...options });
    child.on("error", (error) => {
      console.error(`could not run ${command}: ${error.message}`);
      resolve(127);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function heading(text) {
  console.log(`\n== ${text}`);
}

/** A check that is not a vitest test but counts as one. */
function check(name, ok, detail) {
  if (ok) tally.passed += 1;
  else {
    tally.failed += 1;
    problems.push(`${name}: ${detail}`);
  }
}

/** Workspaces (apps/*, packages/*) that declare a `test` script. */
function testedWorkspaces() {
  const workspaces = [];
  for (const group of ["apps", "packages"]) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const manifest = join(dir, entry, "package.json");
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8"));
      if (pkg.scripts?.test) workspaces.push({ name: pkg.name, dir: join(group, entry) });
    }
  }
  return workspaces;
}

/** Where vitest.shared.ts writes a workspace's report (the same rule as its reportName). */
const reportFileFor = (packageName) =>
  join(reportsDir, `${packageName.replace(/^@/, "").replace(/[^a-zA-Z0-9._-]+/g, "-")}.json`);

/** `npm run <script>` at the root, counted as one check that passes when it exits 0. */
async function runScriptCheck(script, what) {
  heading(`${what} (npm run ${script})`);
  const started = Date.now();
  const code = await run("npm", ["run", "--silent", script], {
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  });
  console.log(
    `${script}: ${code === 0 ? "passed" : `failed (exit code ${code})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  check(script, code === 0, `npm run ${script} exited with code ${code} (see its output above)`);
}

/**
 * The workspace whose tests take longest (real-size models trained, measured and killed: about
 * ten minutes, about one core of two). It runs beside everything after the static checks (the
 * other workspaces' tests, then the schema, the contract and the e2e suite) instead of before the
 * e2e suite: the run ends some minutes sooner. Its output is kept in a file and printed when it
 * ends, so that the two never interleave.
 */
const BESIDE = "@costgate/worker";
const turbo = join(root, "node_modules", "turbo", "bin", "turbo");

/** `turbo run test` for the workspaces `filter` selects; resolves to its exit code. `log`: where its output goes instead of the console. */
function turboTest(filter, log) {
  const env = {
    ...process.env,
    TURBO_TELEMETRY_DISABLED: "1",
    FORCE_COLOR: log ? "0" : (process.env.FORCE_COLOR ?? (process.stdout.isTTY ? "1" : "0")),
  };
  const args = [turbo, "run", "test", "--continue", `--filter=${filter}`];
  if (!log) return run(process.execPath, args, { env });
  const fd = openSync(log, "w");
  return run(process.execPath, args, { env, stdio: ["ignore", fd, fd] }).finally(() => closeSync(fd));
}

/** Counts every workspace's report; `codes` are the turbo runs' exit codes, by what they ran. */
function countWorkspaceReports(codes) {
  let failedInReports = 0;
  for (const workspace of testedWorkspaces()) {
    const file = reportFileFor(workspace.name);
    if (!existsSync(file)) {
      check(
        workspace.name,
        false,
        `wrote no ${relative(root, file)} (its vitest.config.ts must use workspaceTestConfig from vitest.shared.ts)`,
      );
      continue;
    }
    failedInReports += addVitestReport(workspace.name, JSON.parse(readFileSync(file, "utf8")));
  }
  for (const [what, code] of Object.entries(codes)) {
    if (code !== 0 && failedInReports === 0) {
      check(what, false, `exited with code ${code} although no report shows a failed test (see the output above)`);
    }
  }
}

/** Adds a vitest JSON report to the tally; returns how many failures it contributed. */
function addVitestReport(name, report) {
  let failed = report.numFailedTests ?? 0;
  tally.passed += report.numPassedTests ?? 0;
  // A file that fails to load, or an error in a hook outside any test, fails no test: count the file.
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((a) => a.status === "failed").length;
    if (file.status === "failed" && failedTests === 0) {
      failed += 1;
      problems.push(`${name}: ${relative(root, file.name)} failed outside any test: ${firstLine(file.message)}`);
    }
  }
  if (report.success === false && failed === 0) {
    failed += 1;
    problems.push(`${name}: vitest reported a failure outside the tests (an unhandled error?)`);
  }
  tally.failed += failed;
  return failed;
}

const firstLine = (text) =>
  String(text ?? "")
    .split("\n")
    .find((l) => l.trim()) ?? "(no message)";

async function checkPrintedSchema() {
  const schema = join(root, "apps", "api", "schema.graphql");
  const printer = join(root, "apps", "api", "scripts", "print-schema.ts");
  heading("printed schema is current (apps/api/schema.graphql)");
  if (!existsSync(schema) || !existsSync(printer)) {
    console.log("skipped: apps/api/schema.graphql or apps/api/scripts/print-schema.ts does not exist yet");
    return;
  }
  const before = readFileSync(schema, "utf8");
  const code = await run("npm", ["run", "--silent", "schema:print", "--workspace", "@costgate/api"]);
  if (code !== 0) {
    check("schema:print", false, `npm run schema:print exited with code ${code}`);
    return;
  }
  const current = readFileSync(schema, "utf8") === before;
  check(
    "schema:print",
    current,
    "apps/api/schema.graphql was out of date; it has been re-printed: review and commit it",
  );
  console.log(current ? "apps/api/schema.graphql is current" : "apps/api/schema.graphql was stale (now re-printed)");
}

async function checkContract() {
  heading("public contract (../shared/contract)");
  const checker = join(root, "..", "shared", "contract", "check.mjs");
  if (!existsSync(join(root, "apps", "api", "schema.graphql"))) {
    console.log("skipped: apps/api/schema.graphql does not exist yet");
    return;
  }
  if (!existsSync(checker)) {
    console.log(`skipped: ${checker} not found (the contract lives next to the repository, in ../shared)`);
    return;
  }
  const code = await run(process.execPath, [checker, "--allow-missing", "apps/api/schema.graphql"]);
  check("contract", code === 0, "apps/api/schema.graphql breaks the public contract (see above)");
}

/**
 * E2E hook: runs when e2e/ has a Playwright config (e2e/playwright.config.ts). The suite is
 * expected to start what it needs itself (Playwright `webServer`); its JSON report is counted.
 */
async function runE2e() {
  const dir = join(root, "e2e");
  const config = ["playwright.config.ts", "playwright.config.mjs", "playwright.config.js"]
    .map((f) => join(dir, f))
    .find((f) => existsSync(f));
  if (!config) return;
  heading("e2e (Playwright)");
  if (process.env.COSTGATE_SKIP_E2E === "1") {
    console.log("skipped: COSTGATE_SKIP_E2E=1");
    return;
  }
  const cli = join(root, "node_modules", "@playwright", "test", "cli.js");
  if (!existsSync(cli)) {
    check("e2e", false, "e2e/ exists but @playwright/test is not installed");
    return;
  }
  const code = await run(process.execPath, [cli, "test", "--config", config, "--reporter=list,json"], {
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: e2eReport },
  });
  if (!existsSync(e2eReport)) {
    check("e2e", false, `playwright exited with code ${code} and wrote no report`);
    return;
  }
  const { stats = {}, errors = [] } = JSON.parse(readFileSync(e2eReport, "utf8"));
  tally.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  tally.failed += stats.unexpected ?? 0;
  // A skipped end-to-end test checked nothing: count it as a failure, not as a pass or nothing.
  if (stats.skipped) {
    tally.failed += stats.skipped;
    problems.push(`e2e: ${stats.skipped} test(s) skipped (every e2e test must run)`);
  }
  if (errors.length || (code !== 0 && !stats.unexpected)) {
    check("e2e", false, `playwright exited with code ${code}: ${firstLine(errors[0]?.message)}`);
  }
}

async function main() {
  rmSync(reportsDir, { recursive: true, force: true });
  mkdirSync(reportsDir, { recursive: true });

  await runScriptCheck("format:check", "formatting");
  // typecheck first: it generates the dashboard's typed GraphQL client, which typed lint reads.
  await runScriptCheck("typecheck", "typecheck of every workspace");
  await runScriptCheck("lint", "lint and import boundaries");
  await runScriptCheck("knip", "unused files, exports and dependencies");

  if (!existsSync(turbo)) {
    check("turbo run test", false, "turbo is not installed: run npm install (or npm ci) first");
  } else {
    const besideLog = join(reportsDir, "beside.log");
    heading(`workspace tests (turbo run test): ${BESIDE} beside the rest, its output when it ends`);
    const beside = turboTest(BESIDE, besideLog);
    const restCode = await turboTest(`!${BESIDE}`);
    await checkPrintedSchema();
    await checkContract();
    await runE2e();
    heading(`${BESIDE} tests (ran beside the above)`);
    const besideCode = await beside;
    process.stdout.write(existsSync(besideLog) ? readFileSync(besideLog, "utf8") : "(no output)\n");
    countWorkspaceReports({ [`turbo run test --filter=${BESIDE}`]: besideCode, "turbo run test": restCode });
  }

  heading("summary");
  for (const problem of problems) console.log(`FAILED ${problem}`);
  if (tally.passed + tally.failed === 0) console.log("no test ran: that counts as a failure");
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  process.exitCode = tally.failed > 0 || tally.passed === 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  console.log(`${tally.passed} passed, ${tally.failed + 1} failed`);
  process.exitCode = 1;
});
