// The small things a first-day user notices (issue 16, defect 8): wording, headers, links, the
// header row, spacing, the order of the new-model page, the promote dialog's warnings and the
// actions on the production row, a stale upload message, a queued job's wait.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { asAdmin, expect, login, screenshot, stackInfo, test, type Role } from "./fixtures.ts";
import type { Page } from "@playwright/test";

/** Uploads files as the admin (POST /uploads); answers the artifact id. */
async function upload(kind: "model" | "dataset", paths: string[]): Promise<string> {
  const { login: session } = await asAdmin(`mutation($e:String!,$p:String!){ login(email:$e, password:$p){ token } }`, {
    e: stackInfo().users.ADMIN.email,
    p: stackInfo().users.ADMIN.password,
  });
  const form = new FormData();
  form.append("kind", kind);
  for (const p of paths) form.append("file", new Blob([await readFile(p)]), basename(p));
  const res = await fetch(`${stackInfo().apiUrl}/uploads`, {
    method: "POST",
    headers: { authorization: `Bearer ${session.token}` },
    body: form,
  });
  const body = (await res.json()) as { artifactId?: string; error?: { message: string } };
  if (!body.artifactId) throw new Error(`upload refused: ${body.error?.message}`);
  return body.artifactId;
}

/** A new model of the e2e team with its Train and Evaluation datasets (so its versions get evaluated). */
async function modelWithDatasets(name: string): Promise<string> {
  const { reference, teamId } = stackInfo();
  const { createModel } = await asAdmin(`mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`, {
    i: { teamId, name, task: "CLASSIFICATION" },
  });
  for (const [role, path] of [
    ["TRAIN", reference.train],
    ["EVALUATION", reference.evaluation],
  ] as const) {
    await asAdmin(`mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id } }`, {
      i: {
        modelId: createModel.id,
        name: `${role.toLowerCase()}.csv`,
        role,
        artifactId: await upload("dataset", [path]),
      },
    });
  }
  return createModel.id;
}

/** Registers the reference model files as the next version of a model and waits until it is READY. */
async function readyVersion(modelId: string): Promise<{ id: string; number: number }> {
  const { registerModelVersion: v } = await asAdmin(
    `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id number } }`,
    { i: { modelId, artifactId: await upload("model", stackInfo().reference.modelFiles) } },
  );
  await expect
    .poll(
      async () => (await asAdmin(`query($id:ID!){ modelVersion(id:$id){ status } }`, { id: v.id })).modelVersion.status,
      { message: `v${v.number} to be evaluated`, timeout: 180_000, intervals: [1_000] },
    )
    .toBe("READY");
  return v;
}

/** Names made here are unique per run, so the file can run again on the same stack. */
const suffix = Date.now().toString(36).slice(-4);

const setStage = (versionId: string, stage: string) =>
  asAdmin(`mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { id } } }`, {
    i: { versionId, stage },
  });

function versionRow(page: Page, n: number) {
  return page
    .getByRole("region", { name: "Versions" })
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: `v${n}`, exact: true }) });
}

async function demoJobDone(): Promise<string> {
  const id = stackInfo().demoJobId;
  await expect
    .poll(
      async () => (await asAdmin(`query($id:ID!){ optimizationJob(id:$id){ status } }`, { id })).optimizationJob.status,
      { message: "the demo job to finish", timeout: 180_000, intervals: [1_000] },
    )
    .toBe("SUCCEEDED");
  return id;
}

test("steps read “Fine-tune”, never “Fine tune”", async ({ page }) => {
  const { teamId } = stackInfo();
  await asAdmin(`mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`, {
    i: {
      teamId,
      name: `Short fine-tune ${suffix}`,
      maxAccuracyDrop: 0.02,
      steps: [{ kind: "FINE_TUNE", params: { epochs: 1, learningRate: 0.01, batchSize: 32 } }],
    },
  });
  await login(page, "ML_ENGINEER");
  await page.goto("/policies");
  const row = page.getByRole("row").filter({ hasText: `Short fine-tune ${suffix}` });
  await expect(row).toContainText("Fine-tune");
  await expect(page.locator("main")).not.toContainText("Fine tune");
});

test("the job's candidates: an “Accuracy” header and versions that link to the model", async ({ page }) => {
  const jobId = await demoJobDone();
  const { id: modelId } = stackInfo().models.demo;
  await login(page, "ML_ENGINEER");
  await page.goto(`/jobs/${jobId}`);
  const candidates = page.getByRole("region", { name: "Candidates" });
  await expect(candidates.getByRole("columnheader", { name: "Accuracy", exact: true })).toBeVisible();
  const link = candidates.getByRole("link", { name: "v2", exact: true });
  await expect(link).toHaveAttribute("href", `/models/${modelId}#version-2`);
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/models/${modelId}#version-2$`), { timeout: 30_000 });
  await expect(page.locator("#version-2")).toBeVisible();
});

test("a policy on the default hardware names the profile, on the list and on its page", async ({ page }) => {
  const { hardwareProfiles } = await asAdmin(`{ hardwareProfiles { name isDefault } }`);
  const name = hardwareProfiles.find((h: { isDefault: boolean }) => h.isDefault).name as string;
  const id = stackInfo().demoPolicyId;
  await login(page, "ML_ENGINEER");
  await page.goto("/policies");
  const row = page
    .getByRole("region", { name: "Policies" })
    .getByRole("row")
    .filter({ has: page.locator(`a[href="/policies/${id}"]`) });
  await expect(row.getByRole("cell", { name: `${name} (default)`, exact: true })).toBeVisible();
  await expect(row).not.toContainText(/\bDefault\b/);
  await page.goto(`/policies/${id}`);
  const hardware = page.locator(".stats div").filter({ has: page.locator("dt", { hasText: /^Hardware$/ }) });
  await expect(hardware.locator("dd")).toHaveText(`${name} (default)`);
});

for (const role of ["ADMIN", "FINANCE"] as Role[]) {
  test(`the header is one row at 1280 px for ${role}`, async ({ page }) => {
    await login(page, role);
    const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    const tops = await links.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(tops).size, "the navigation links sit on one line").toBe(1);
    const header = await page.locator("header").boundingBox();
    expect(header!.height, "header height at 1280 px").toBeLessThan(64);
  });
}

test("the hardware page's form keeps its distance from the table above it", async ({ page }) => {
  await login(page, "ADMIN");
  await page.goto("/admin/hardware");
  const table = await page.getByRole("region", { name: "Hardware profiles" }).boundingBox();
  const form = await page.locator("#edit-profile").boundingBox();
  expect(form!.y - (table!.y + table!.height), "gap between the table and the form, px").toBeGreaterThanOrEqual(16);
});

test("a model without versions starts with the upload forms", async ({ page }) => {
  const { createModel } = await asAdmin(`mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`, {
    i: { teamId: stackInfo().teamId, name: `Empty ranker ${suffix}`, task: "CLASSIFICATION" },
  });
  await login(page, "ML_ENGINEER");
  await page.goto(`/models/${createModel.id}`);
  const upload = await page.getByRole("heading", { name: "Upload", exact: true }).boundingBox();
  const versions = await page.getByRole("heading", { name: "Versions", exact: true }).boundingBox();
  expect(upload!.y, "the Upload card comes before the (empty) Versions card").toBeLessThan(versions!.y);
});

test("the new-budget form preselects the only team", async ({ page }) => {
  await login(page, "FINANCE");
  await page.goto("/budgets/new");
  await expect(page.getByLabel("Team")).toHaveValue(stackInfo().teamId);
});

test("the promote dialog on a model without traffic says there is none yet", async ({ page }) => {
  const { demo } = stackInfo().models;
  await login(page, "ADMIN");
  await page.goto(`/models/${demo.id}`);
  await versionRow(page, 1).getByRole("button", { name: "Promote" }).click();
  const dialog = page.getByRole("dialog", { name: "Promote version 1" });
  await expect(dialog.getByText("No traffic yet")).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByText("Now, per month")).toBeHidden();
  await dialog.getByRole("button", { name: "Cancel" }).click();
});

test("promotion from the rows: a warning on a rejected version, archive and roll back on production", async ({
  page,
}) => {
  const modelId = await modelWithDatasets(`Stage scorer ${suffix}`);
  const v1 = await readyVersion(modelId);
  const v2 = await readyVersion(modelId);
  await setStage(v1.id, "PRODUCTION");
  await setStage(v2.id, "REJECTED");
  await login(page, "ADMIN");
  await page.goto(`/models/${modelId}`);

  // A version the guardrail rejected can still be promoted, but not without saying so.
  await versionRow(page, 2).getByRole("button", { name: "Promote" }).click();
  const promote = page.getByRole("dialog", { name: "Promote version 2" });
  await expect(promote.getByRole("note")).toContainText("accuracy guardrail rejected v2");
  // Read, as a person would, once the projection has arrived: it grows the dialog and moves its
  // buttons (a click aimed at Cancel while it arrived landed beside it, on a busy machine).
  await expect(promote.getByText("Projecting the monthly cost…")).toBeHidden({ timeout: 30_000 });
  await promote.getByRole("button", { name: "Cancel" }).click();
  await expect(promote).toBeHidden();

  // The production row takes a version out of production…
  await versionRow(page, 1).getByRole("button", { name: "Archive" }).click();
  const archive = page.getByRole("dialog", { name: "Take version 1 out of production" });
  await expect(archive.getByLabel("Stage")).toHaveValue("ARCHIVED");
  await archive.getByRole("button", { name: "Archive", exact: true }).click();
  await expect(archive).toBeHidden({ timeout: 30_000 });
  await expect(versionRow(page, 1).getByRole("cell").nth(2)).toHaveText("Archived");

  // …and rolls back to the version before it.
  await setStage(v2.id, "PRODUCTION");
  await page.reload();
  await versionRow(page, 2).getByRole("button", { name: "Roll back to v1" }).click();
  const rollback = page.getByRole("dialog", { name: "Roll back to version 1" });
  await expect(rollback.getByLabel("Stage")).toHaveValue("PRODUCTION");
  await rollback.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(rollback).toBeHidden({ timeout: 30_000 });
  await expect(versionRow(page, 1).getByRole("cell").nth(2)).toHaveText("Production");
  await expect(versionRow(page, 2).getByRole("cell").nth(2)).toHaveText("Archived");
});

test("the upload message stops saying “being evaluated” once the version is Ready", async ({ page }) => {
  const modelId = await modelWithDatasets(`Upload scorer ${suffix}`);
  await readyVersion(modelId);
  await login(page, "ML_ENGINEER");
  await page.goto(`/models/${modelId}`);
  await page.getByLabel("Model files").setInputFiles(stackInfo().reference.modelFiles);
  await page.getByRole("button", { name: "Upload version" }).click();
  const message = page.getByRole("status").filter({ hasText: "Version 2" });
  await expect(message).toContainText("being evaluated", { timeout: 30_000 });
  await expect(versionRow(page, 2).getByRole("cell").nth(3)).toHaveText(/^Ready/, { timeout: 180_000 });
  await expect(message).toContainText("Ready");
  await expect(message).not.toContainText("being evaluated");
});

/** "45 s", "3 min", "2 h 5 min" (as the dashboard writes a wait or a running time) in seconds, rounded down as written. */
function seconds(text: string): number {
  if (text === "under a second") return 0;
  const unit: Record<string, number> = { s: 1, min: 60, h: 3600, d: 86400 };
  return [...text.matchAll(/(\d+) (s|min|h|d)\b/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2]!]!, 0);
}

test("a queued job shows its place in line and its wait; once it ran, the wait stays out of its running time", async ({
  page,
}) => {
  const modelId = await modelWithDatasets(`Queue scorer ${suffix}`);
  const source = await readyVersion(modelId);
  const { createOptimizationPolicy: policy } = await asAdmin(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId: stackInfo().teamId,
        name: `Queue check ${suffix}`,
        maxAccuracyDrop: 0.05,
        steps: [{ kind: "QUANTIZE", params: { dtype: "float16" } }],
      },
    },
  );
  const run = async () =>
    (
      await asAdmin(`mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`, {
        p: policy.id,
        v: source.id,
      })
    ).runOptimizationPolicy.id as string;
  // Enough jobs that the last waits behind the others (the worker runs one optimization at a time).
  const ids = [await run(), await run(), await run(), await run()];
  const last = ids[ids.length - 1]!;
  const queued = /Queued · (\d+)(st|nd|rd|th) in line · waiting (under a second|\d+ s|\d+ min)/;
  await login(page, "ML_ENGINEER");
  await page.goto(`/jobs/${last}`);
  const progress = page.locator("#progress");
  await expect(progress).toContainText(queued);
  const place = Number(queued.exec((await progress.textContent()) ?? "")![1]);
  expect(place, "behind the three jobs run before it").toBeGreaterThanOrEqual(2);
  await screenshot(page, "job-queued");
  await page.goto("/jobs?status=QUEUED");
  const listed = page.getByRole("row").filter({ has: page.locator(`a[href="/jobs/${last}"]`) });
  await expect(listed).toContainText(queued);
  await screenshot(page, "jobs-queued");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(listed).toContainText(queued);
  // On a phone the line wraps between its phrases, never inside one ("3" at a line's end, "s" on the next).
  const wait = listed.locator(".nowrap").filter({ hasText: /^waiting / });
  await expect(wait).toHaveCount(1);
  expect(await wait.evaluate((el) => el.getClientRects().length), "lines the wait takes").toBe(1);
  await screenshot(page, "jobs-queued");
  await page.setViewportSize({ width: 1280, height: 800 });

  await expect
    .poll(
      async () =>
        (await asAdmin(`query($id:ID!){ optimizationJob(id:$id){ status } }`, { id: last })).optimizationJob.status,
      { message: "the last job to finish", timeout: 180_000, intervals: [1_000] },
    )
    .toBe("SUCCEEDED");
  const { optimizationJob: done } = await asAdmin(
    `query($id:ID!){ optimizationJob(id:$id){ createdAt startedAt finishedAt queuePosition } }`,
    { id: last },
  );
  expect(done.queuePosition).toBeNull();
  const waitedS = (Date.parse(done.startedAt) - Date.parse(done.createdAt)) / 1000;
  const ranS = (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000;
  const timing = /waited (under a second|[\d a-z]+?), ran (under a second|[\d a-z]+?)(?= ·|$)/m;
  const row = page.getByRole("row").filter({ has: page.locator(`a[href="/jobs/${last}"]`) });
  for (const [where, scope] of [
    [`/jobs/${last}`, progress],
    ["/jobs", row],
  ] as const) {
    await page.goto(where);
    await expect(scope).toContainText(/waited .+, ran /);
    const [, waited, ran] = timing.exec((await scope.innerText()).replace(/[ \t]*\n[ \t]*/g, "\n"))!;
    // As written (rounded down to its unit), each is its own span of time: the wait is not in the running time.
    expect(seconds(waited!), `waited ${waited} for ${waitedS} s`).toBeLessThanOrEqual(waitedS);
    expect(seconds(ran!), `ran ${ran} for ${ranS} s`).toBeLessThanOrEqual(ranS);
    expect(seconds(ran!), `ran ${ran} for ${ranS} s`).toBeGreaterThan(ranS - (ranS < 60 ? 1 : ranS < 3600 ? 60 : 3600));
  }
});

test("an admin edits a user: another role, then deactivated; the person can no longer sign in", async ({
  page,
  browser,
}) => {
  const email = `pat-${suffix}@e2e.costgate.test`;
  const password = "pat-password-123456";
  await asAdmin(`mutation($i:CreateUserInput!){ createUser(input:$i){ id } }`, {
    i: { email, name: "Pat Lee", password, role: "VIEWER", teamId: stackInfo().teamId },
  });
  await login(page, "ADMIN");
  await page.goto("/admin/users");
  const row = page.getByRole("row").filter({ hasText: email });
  await expect(row).toContainText("Active");

  await row.getByRole("button", { name: "Edit Pat Lee" }).click();
  let dialog = page.getByRole("dialog", { name: `Edit ${email}` });
  await dialog.getByLabel("Full name").fill("Pat Lee-Smith");
  await dialog.getByLabel("Role").selectOption("FINANCE");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("status")).toContainText("Saved Pat Lee-Smith.");
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(row).toContainText("Pat Lee-Smith");
  await expect(row).toContainText("Finance");

  await row.getByRole("button", { name: "Edit Pat Lee-Smith" }).click();
  dialog = page.getByRole("dialog", { name: `Edit ${email}` });
  await dialog.getByLabel("Active (can sign in)").uncheck();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("status")).toContainText("is deactivated");
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(row).toContainText("Deactivated");

  const other = await browser.newPage({ baseURL: stackInfo().webUrl ?? undefined });
  await other.goto("/login");
  await other.getByLabel("Email").fill(email);
  await other.getByLabel("Password").fill(password);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByRole("alert").filter({ hasText: "deactivated" })).toContainText(
    "This account is deactivated",
  );
  await other.close();
});
