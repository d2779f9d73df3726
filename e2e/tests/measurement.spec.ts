// Honest cost numbers (issue #10): every $/1M carries its ± and says what it was measured with,
// an ML engineer can have a version measured again (a real worker adds a second measurement),
// and a step that saves nothing beyond the measurement's noise says "No measurable saving" on
// the job page, in the promotion dialog and on the overview. Uses the demo model and its
// "Quantize to uint8" job (uint8 weights are decoded to float32 at load: no faster).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { asAdmin, expect, graphql, login, sessionToken, stackInfo, test } from "./fixtures.ts";

const PLUS_MINUS = /±(<)?\d+(\.\d)?%/;

test("a $/1M shows its ± and how it was measured, and Re-measure adds a measurement", async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(300_000);
  const { models } = stackInfo();
  await login(page, "ML_ENGINEER");
  await page.goto(`/models/${models.demo.id}`);
  await expect(page.getByRole("heading", { level: 1, name: models.demo.name })).toBeVisible();

  const { modelVersion } = await asAdmin(
    `query($id:ID!){ modelVersion(id:$id){ cost { uncertainty backend batchSize hardwareProfile { name } } costs { id } } }`,
    { id: models.demo.versionId },
  );
  const cost = modelVersion.cost;
  expect(cost.uncertainty, "the worker records an uncertainty").not.toBeNull();

  // The versions table: "$0.0123 ±2.1%" and "c7i.large ($0.08925/h) · wasm · batch 32" under it.
  const v1 = page
    .getByRole("region", { name: "Versions" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: "v1", exact: true }) });
  const price = v1.getByRole("cell").nth(8);
  await expect(price).toContainText(/^\$\d[\d,]*\.\d+ ±/);
  await expect(price).toContainText(PLUS_MINUS);
  await expect(price).toContainText(
    new RegExp(`${cost.hardwareProfile.name} \\(\\$[\\d.]+/h\\) · ${cost.backend} · batch ${cost.batchSize}`),
  );
  await expect(price.locator("[title]")).toHaveAttribute(
    "title",
    new RegExp(
      `^measured on ${cost.hardwareProfile.name} \\(\\$[\\d.]+/h\\), ${cost.backend}, batch ${cost.batchSize}, [\\d,]+ timed runs, ±`,
    ),
  );
  await expect(v1.getByRole("cell").nth(9)).toHaveText("Upload");

  // The cost card lists each measurement with its hardware, price, backend, batch and ±.
  const measurements = page.getByRole("region", { name: "Cost measurements" });
  const v1Rows = measurements.getByRole("row").filter({ has: page.getByRole("cell", { name: /^v1/ }) });
  await expect(v1Rows).toHaveCount(modelVersion.costs.length);
  await expect(v1Rows.first()).toContainText(cost.hardwareProfile.name);
  await expect(v1Rows.first()).toContainText(/\$0\.08925\/h/);
  await expect(v1Rows.first().getByRole("cell").nth(7)).toHaveText(PLUS_MINUS);

  // Re-measure on the default profile: queued, then the real worker adds a second measurement.
  await v1.getByRole("button", { name: "Re-measure" }).click();
  const dialog = page.getByRole("dialog", { name: "Re-measure version 1" });
  await expect(dialog).toBeVisible();
  const profile = dialog.getByLabel("Hardware profile");
  await expect(profile.locator("option:checked")).toHaveText(/^c7i\.large — \$0\.08925\/h \(default\)$/);
  await dialog.getByRole("button", { name: "Queue measurement" }).click();
  await expect(dialog).toBeHidden();
  const note = v1.getByRole("status").filter({ hasText: /c7i\.large/ });
  await expect(note).toHaveText("Queued: a worker of c7i.large will measure version 1 again.");
  await expect(v1Rows).toHaveCount(modelVersion.costs.length + 1, { timeout: 180_000 });
  await expect(note).toHaveText("Measured again on c7i.large: see “Cost measurements” below.");
  await expect(v1Rows.first()).toContainText(`latest of ${modelVersion.costs.length + 1}`);
  const after = await asAdmin(`query($id:ID!){ modelVersion(id:$id){ costs { id uncertainty } } }`, {
    id: models.demo.versionId,
  });
  expect(after.modelVersion.costs).toHaveLength(modelVersion.costs.length + 1);

  // Re-evaluate queues an evaluation on the Evaluation dataset.
  await v1.getByRole("button", { name: "Re-evaluate" }).click();
  await expect(v1.getByRole("status").filter({ hasText: "evaluated again" })).toHaveText(
    "Queued: version 1 will be evaluated again on the model's Evaluation dataset.",
  );
  expect(consoleErrors).toEqual([]);
});

test("Re-evaluate shows the API's refusal beside the button when the model has no Evaluation dataset", async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(240_000);
  const { teamId, reference, apiUrl } = stackInfo();
  await login(page, "ML_ENGINEER");
  const token = await sessionToken(page);
  // A model with a version but no datasets: the worker measures its cost and leaves the metric out.
  const name = "Risk ranker";
  const created = await graphql(
    token,
    `
      mutation ($i: CreateModelInput!) {
        createModel(input: $i) {
          id
        }
      }
    `,
    { i: { teamId, name, task: "CLASSIFICATION" } },
  );
  const modelId: string = created.data.createModel.id;
  const form = new FormData();
  form.append("kind", "model");
  for (const file of reference.modelFiles) form.append("file", new Blob([readFileSync(file)]), basename(file));
  const uploaded = (await (
    await fetch(`${apiUrl}/uploads`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form })
  ).json()) as { artifactId: string };
  const registered = await graphql(
    token,
    `
      mutation ($i: RegisterModelVersionInput!) {
        registerModelVersion(input: $i) {
          id
        }
      }
    `,
    { i: { modelId, artifactId: uploaded.artifactId } },
  );
  expect(registered.errors).toBeUndefined();

  await page.goto(`/models/${modelId}`);
  const v1 = page
    .getByRole("region", { name: "Versions" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: "v1", exact: true }) });
  await expect(v1.getByRole("cell").nth(3)).toHaveText(/^Ready/, { timeout: 180_000 });
  await v1.getByRole("button", { name: "Re-evaluate" }).click();
  await expect(v1.getByRole("alert")).toContainText(`Not queued: ${name} has no EVALUATION dataset`);
  expect(consoleErrors).toEqual([]);
});

test("a candidate that saves nothing beyond the noise shows “No measurable saving” on the job, the promotion and the overview", async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(300_000);
  const { models, demoJobId } = stackInfo();
  await expect
    .poll(
      async () =>
        (await asAdmin(`query($id:ID!){ optimizationJob(id:$id){ status } }`, { id: demoJobId })).optimizationJob
          .status,
      { timeout: 180_000, intervals: [1_000] },
    )
    .toBe("SUCCEEDED");
  const { optimizationJob: job } = await asAdmin(
    `query($id:ID!){ optimizationJob(id:$id){ stage result bestVersion { id } candidates { id number comparedToParent { significant low high } } } }`,
    { id: demoJobId },
  );
  const candidate = job.candidates[0];
  const step = job.result.steps[0];
  // What the worker measured decides what the page must say: uint8 weights are decoded to float32, so no faster.
  expect(step.vsInput, "the quantized candidate was measured interleaved with its input").not.toBeNull();
  expect(
    step.vsInput.significant,
    `uint8 quantization showed a significant throughput change (${JSON.stringify(step.vsInput)})`,
  ).toBe(false);
  expect(job.bestVersion).toBeNull();

  await login(page, "ML_ENGINEER");
  await page.goto(`/jobs/${demoJobId}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Quantize to uint8 on ${models.demo.name} v1`);
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress).toContainText("no candidate saves measurable cost");
  await expect(progress.getByText("none: no measurable saving")).toBeVisible();
  const row = page
    .getByRole("region", { name: "Candidates" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: `v${candidate.number}`, exact: true }) });
  const vsInput = row.getByRole("cell").nth(6);
  await expect(vsInput).toContainText(
    `No measurable saving (${step.vsInput.low.toFixed(2)}–${step.vsInput.high.toFixed(2)}×)`,
  );
  await expect(vsInput).toContainText("vs v1");
  await expect(row.getByRole("cell").nth(5)).toContainText(PLUS_MINUS);

  // The model page's "vs parent" column says the same, and so does the promotion dialog.
  await page.goto(`/models/${models.demo.id}`);
  const version = page
    .getByRole("region", { name: "Versions" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: `v${candidate.number}`, exact: true }) });
  await expect(version.getByRole("cell").nth(9)).toContainText("No measurable saving");
  await expect(version.getByRole("cell").nth(9)).toContainText("vs v1 on c7i.large");
  await version.getByRole("button", { name: "Promote" }).click();
  const dialog = page.getByRole("dialog", { name: `Promote version ${candidate.number}` });
  // The projection has loaded: "With vN" per month, or "No traffic yet" for a model no tool reported usage of.
  await expect(dialog.getByText("Projecting the monthly cost…")).toBeHidden({ timeout: 30_000 });
  await expect(dialog).toContainText(new RegExp(`With v${candidate.number}|No traffic yet`));
  await expect(dialog).toContainText(
    /costs \$[\d.,]+ ±[\d.<]+% per 1M inferences, measured on c7i\.large \(\$0\.08925\/h\)/,
  );
  await expect(dialog).toContainText("Against v1: No measurable saving");
  await expect(dialog).toContainText("measurement noise, not a saving");
  // Promoted anyway (within budget), it serves traffic: the overview counts no saving for it.
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  const usage = await graphql(
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
          versionId: candidate.id,
          requests: 1_000_000,
          occurredAt: new Date().toISOString(),
          idempotencyKey: `e2e-no-saving-${demoJobId}`,
        },
      ],
    },
  );
  expect(usage.errors).toBeUndefined();
  const { optimizationSavings } = await asAdmin(
    `query($f:DateTime!,$t:DateTime!){ optimizationSavings(from:$f,to:$t){ versions { version { id } measurable savedUsd } } }`,
    { f: new Date(Date.now() - 86_400_000 * 40).toISOString(), t: new Date(Date.now() + 86_400_000).toISOString() },
  );
  const saving = optimizationSavings.versions.find((v: { version: { id: string } }) => v.version.id === candidate.id);
  expect(saving).toMatchObject({ measurable: false, savedUsd: null });

  await page.goto("/");
  const savingsRow = page
    .getByRole("region", { name: "Savings" })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: models.demo.name }) });
  await expect(savingsRow.getByRole("cell").last()).toContainText("No measurable saving");
  await expect(savingsRow.getByRole("cell").last()).not.toContainText("$");
  await expect(savingsRow.getByRole("cell").nth(2)).toContainText(PLUS_MINUS);
  await expect(page.getByRole("region", { name: "Savings from optimized versions in production" })).toContainText(
    "saves nothing measurable and is left out of the total",
  );
  expect(consoleErrors).toEqual([]);
});
