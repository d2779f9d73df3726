// An ML engineer's day: upload a model and its datasets, see version 1 measured, build a
// three-step policy, run it, watch the job to the end and promote the best version through
// the cost-gate preview. Labels and controls: apps/web/README.md ("Routes, headings and controls").
import { asAdmin, choose, expect, graphql, login, screenshot, sessionToken, stackInfo, test } from "./fixtures.ts";

test("an ML_ENGINEER uploads a model, optimizes it with a three-step policy and promotes the best version", async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(420_000);
  const { models, reference } = stackInfo();
  const model = models.upload;
  const policyName = "Prune, fine-tune, quantize";
  await login(page, "ML_ENGINEER");

  // Find the model through the search box (filters as you type).
  await page.goto("/models");
  await expect(page.getByRole("heading", { level: 1, name: "Models" })).toBeVisible();
  await page.getByLabel("Search models").fill("churn");
  await expect(page).toHaveURL(/[?&]q=churn/);
  const list = page.getByRole("region", { name: "Models" });
  await expect(list.getByRole("link", { name: models.demo.name })).toHaveCount(0);
  await list.getByRole("link", { name: model.name }).click();
  await expect(page.getByRole("heading", { level: 1, name: model.name })).toBeVisible();

  // Datasets first (evaluation needs the Evaluation set, fine-tuning the Train set), then the model files.
  const datasets = page.getByRole("region", { name: "Datasets" });
  for (const [role, file] of [
    ["Train", reference.train],
    ["Evaluation", reference.evaluation],
  ] as const) {
    await page.getByLabel("Dataset file").setInputFiles(file);
    await choose(page.getByLabel("Dataset role"), role);
    await page.getByRole("button", { name: "Upload dataset" }).click();
    await expect(datasets.getByRole("cell", { name: role, exact: true })).toBeVisible({ timeout: 30_000 });
  }
  await page.getByLabel("Model files").setInputFiles(reference.modelFiles);
  await page.getByRole("button", { name: "Upload version" }).click();

  // Version 1 is evaluated and measured by the worker; the page refreshes itself while it is
  // Pending, until v1 is Ready with its $/1M inferences.
  const versions = page.getByRole("region", { name: "Versions" });
  const v1 = versions.getByRole("row").filter({ has: page.getByRole("cell", { name: "v1", exact: true }) });
  await expect(v1).toBeVisible({ timeout: 30_000 });
  await expect(v1.getByRole("cell").nth(3)).toHaveText(/^Ready/, { timeout: 180_000 });
  // "$0.0123 ±2.1%" and, under it, what it was measured with (measurement.spec.ts checks the details).
  await expect(v1.getByRole("cell").nth(8)).toHaveText(/^\$\d[\d,]*\.\d+ ±(<)?\d+(\.\d)?%/);

  // A three-step policy in the step builder, for this model.
  await page.goto(`/policies/new?modelId=${model.id}`);
  await expect(page.getByRole("heading", { level: 1, name: "New policy" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(policyName);
  await expect(page.getByLabel("Model (optional)")).toHaveValue(model.id);
  const addStep = page.getByRole("button", { name: "Add step" });
  await addStep.click();
  let step = page.getByRole("group", { name: /^Step 1:/ });
  await choose(step.getByLabel("Kind"), "Prune");
  await choose(step.getByLabel("Method"), /^Structured/);
  await step.getByLabel("Sparsity").fill("0.5");
  await addStep.click();
  step = page.getByRole("group", { name: /^Step 2:/ });
  await choose(step.getByLabel("Kind"), "Fine-tune");
  await expect(step).toHaveAccessibleName("Step 2: Fine-tune");
  await step.getByLabel("Epochs").fill("2");
  await addStep.click();
  step = page.getByRole("group", { name: /^Step 3:/ });
  await choose(step.getByLabel("Kind"), "Quantize");
  await choose(step.getByLabel("Weight dtype"), /^uint8/);
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page.getByRole("heading", { level: 1, name: policyName })).toBeVisible({ timeout: 30_000 });
  const steps = page.getByRole("region", { name: "Steps" }).getByRole("listitem");
  await expect(steps).toHaveText([/^Prune\s+structured, sparsity 0\.5/, /^Fine-tune\s+epochs 2/, /^Quantize\s+uint8/]);

  // Run it on version 1 and follow the job page (it refreshes itself) to the end.
  await choose(page.getByLabel("Version to optimize"), /^Churn classifier v1 /);
  await page.getByRole("button", { name: "Run policy" }).click();
  await expect(page).toHaveURL(/\/jobs\/[^/?]+$/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { level: 1, name: `${policyName} on ${model.name} v1` })).toBeVisible();
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("Succeeded", { exact: true })).toBeVisible({ timeout: 300_000 });
  await expect(progress.getByRole("progressbar", { name: "Job progress" })).toHaveAttribute("aria-valuenow", "100");
  const candidates = page.getByRole("region", { name: "Candidates" }).getByRole("row");
  await expect(candidates).toHaveCount(4); // header + one candidate per step
  await expect(page.getByText("Best: accepted")).toBeVisible();

  // Promote the best candidate through the preview dialog.
  const jobId = page.url().split("/").pop()!;
  const { optimizationJob } = await asAdmin(
    `query($id:ID!){ optimizationJob(id:$id){ status bestVersion { id number } } }`,
    { id: jobId },
  );
  expect(optimizationJob.status).toBe("SUCCEEDED");
  expect(optimizationJob.bestVersion).not.toBeNull();
  const bestNumber: number = optimizationJob.bestVersion.number;
  await page.goto(`/models/${model.id}`);
  const best = page
    .getByRole("region", { name: "Versions" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: `v${bestNumber}`, exact: true }) });
  await best.getByRole("button", { name: "Promote" }).click();
  const dialog = page.getByRole("dialog", { name: `Promote version ${bestNumber}` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Stage")).toHaveValue("PRODUCTION");
  // No traffic recorded yet: the dialog says so instead of projecting $0.00 → $0.00.
  await expect(dialog.getByText("No traffic yet")).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByText(`With v${bestNumber}`)).toBeHidden();
  await expect(dialog).toContainText("Within budget.");
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(best.getByRole("cell").nth(2)).toHaveText("Production");
  await expect(page.getByText(`Production: v${bestNumber}.`)).toBeVisible();
  const { modelVersion } = await asAdmin(`query($id:ID!){ modelVersion(id:$id){ stage } }`, {
    id: optimizationJob.bestVersion.id,
  });
  expect(modelVersion.stage).toBe("PRODUCTION");

  // Internal tools report the traffic the optimized version serves; the overview then shows the
  // model among the spenders and what the optimization saved: 2M inferences × (v1's $/1M − its own).
  const served = 2_000_000;
  const report = await graphql(
    await sessionToken(page),
    `
      mutation ($i: [UsageInput!]!) {
        recordUsage(input: $i) {
          accepted
        }
      }
    `,
    {
      i: [
        {
          versionId: optimizationJob.bestVersion.id,
          requests: served,
          occurredAt: new Date().toISOString(),
          idempotencyKey: `e2e-${jobId}`,
        },
      ],
    },
  );
  expect(report.errors).toBeUndefined();
  const { model: priced } = await asAdmin(
    `query($m:ID!){ model(id:$m){ versions(first: 50){ edges { node { number cost { costPerMillionUsd } } } } } }`,
    { m: model.id },
  );
  const priceOf = (n: number) =>
    priced.versions.edges.find((e: { node: { number: number } }) => e.node.number === n).node.cost
      .costPerMillionUsd as string;
  // Exact arithmetic in millionths of a dollar: prices have at most 6 decimals.
  const micros = (usd: string) => {
    const [whole, frac = ""] = usd.split(".");
    return BigInt(whole!) * BigInt(1_000_000) + BigInt(frac.padEnd(6, "0"));
  };
  const savedMicros = (micros(priceOf(1)) - micros(priceOf(bestNumber))) * BigInt(served / 1_000_000);
  // Cents from a cent up; below, 2–3 significant digits (apps/web formatMoneyPrecise: a tiny saving is not "$0.00").
  const cents = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  const small = new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: "USD",
    minimumSignificantDigits: 2,
    maximumSignificantDigits: 3,
  });
  const usd = {
    format: (n: number) =>
      n === 0 || Math.abs(n) >= 0.01 ? cents.format(n) : `${n < 0 ? "-" : ""}${small.format(Math.abs(n))}`,
  };
  await page.goto("/");
  const savingsRow = page
    .getByRole("region", { name: "Savings from optimized versions in production" })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: model.name }) });
  await expect(savingsRow.getByRole("cell").nth(1)).toContainText(`v${bestNumber} (`);
  await expect(savingsRow.getByRole("cell").nth(4)).toHaveText("2,000,000");
  await expect(savingsRow.getByRole("cell").last()).toHaveText(usd.format(Number(savedMicros) / 1e6));
  await expect(
    page.getByRole("region", { name: "Top-spending models this month" }).getByRole("link", { name: model.name }),
  ).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test("an ML_ENGINEER names a classifier's classes when creating it, and sees them on its page", async ({
  page,
  consoleErrors,
}) => {
  await login(page, "ML_ENGINEER");
  await page.goto("/models");
  const name = `pets-${Date.now()}`;
  await page.getByLabel("Model name").fill(name);
  await choose(page.getByLabel("Task"), "Classification (accuracy)");
  // Two names that differ only in case are refused in the form, with the reason.
  await page.getByLabel("Class names (classifiers, optional)").fill("cat, Cat");
  await page.getByRole("button", { name: "Create model" }).click();
  await expect(page.getByText(/class names 0 and 1 are both "Cat"/)).toBeVisible();
  await page.getByLabel("Class names (classifiers, optional)").fill("cat\ndog\nbird");
  await page.getByRole("button", { name: "Create model" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("Classes (output: name): 0 cat, 1 dog, 2 bird.")).toBeVisible();
  await screenshot(page, "model-class-names");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByText("Classes (output: name): 0 cat, 1 dog, 2 bird.")).toBeVisible();
  await screenshot(page, "model-class-names");
  expect(consoleErrors).toEqual([]);
});
