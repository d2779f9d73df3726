// Every form of the dashboard keeps every field exactly as the person entered it after the
// server refuses the submit (issue #16, defect 1): the policy form used to fall back to "Any model
// of the team", show "Prune" for Fine-tune and Quantize steps and uncheck "Accuracy-aware".
// Each test fills a form, snapshots every control (value, checked, chosen files), gets a server
// error, and compares.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { choose, expect, login, stackInfo, test, type Role } from "./fixtures.ts";
import type { Locator, Page } from "@playwright/test";

/** Every control of a form as the browser shows it. */
async function snapshot(form: Locator): Promise<string[]> {
  return form.evaluate((el) =>
    Array.from((el as HTMLFormElement).elements)
      .filter(
        (c) => c instanceof HTMLInputElement || c instanceof HTMLSelectElement || c instanceof HTMLTextAreaElement,
      )
      // What the person sees and set: not React's hidden action-state fields.
      .filter((c) => !(c instanceof HTMLInputElement && c.type === "hidden"))
      .map((c) => {
        const key = c.id || (c as HTMLInputElement).name;
        if (c instanceof HTMLInputElement && (c.type === "checkbox" || c.type === "radio"))
          return `${key}=${c.checked ? "checked" : "unchecked"}`;
        if (c instanceof HTMLInputElement && c.type === "file")
          return `${key}=${Array.from(c.files ?? [])
            .map((f) => f.name)
            .join(",")}`;
        if (c instanceof HTMLSelectElement) return `${key}=${c.value} (${c.selectedOptions[0]?.textContent ?? ""})`;
        return `${key}=${(c as HTMLInputElement).value}`;
      }),
  );
}

const formWith = (page: Page, button: string) =>
  page.locator("form").filter({ has: page.getByRole("button", { name: button, exact: true }) });

/** Submits and waits for the form's error, then checks nothing the person entered moved. */
async function expectKeptAfterError(form: Locator, button: string, error: RegExp): Promise<void> {
  const before = await snapshot(form);
  expect(before.length).toBeGreaterThan(0);
  await form.getByRole("button", { name: button, exact: true }).click();
  // The refusal shows as a message (role=alert) or beside the field it concerns (aria-invalid).
  await expect(form.getByRole("alert").or(form.locator('[aria-invalid="true"]')).first()).toBeVisible({
    timeout: 30_000,
  });
  await expect(form).toContainText(error);
  await expect(form.getByRole("button", { name: button, exact: true })).toBeEnabled();
  expect(await snapshot(form)).toEqual(before);
}

async function as(page: Page, role: Role, path: string, heading: string | RegExp) {
  await login(page, role);
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
}

test("the new policy form keeps model, step kinds, parameters and checkboxes after the API refuses it", async ({
  page,
  consoleErrors,
}) => {
  const info = stackInfo();
  await as(page, "ML_ENGINEER", "/policies/new", "New policy");
  // The name of the demo policy: the API answers CONFLICT once everything else is valid.
  await page.getByLabel("Name", { exact: true }).fill("Quantize to uint8");
  await choose(page.getByLabel("Model (optional)"), info.models.demo.name);
  const addStep = page.getByRole("button", { name: "Add step" });
  await addStep.click();
  let step = page.getByRole("group", { name: /^Step 1:/ });
  await choose(step.getByLabel("Kind"), "Fine-tune");
  await step.getByLabel("Epochs").fill("3");
  await addStep.click();
  step = page.getByRole("group", { name: /^Step 2:/ });
  await choose(step.getByLabel("Kind"), "Quantize");
  await choose(step.getByLabel("Weight dtype"), /^uint16/);
  await step.getByLabel("Accuracy-aware").check();
  await page.getByLabel("Max accuracy drop").fill("0.02");
  await choose(page.getByLabel("Trigger"), /^New version/);
  await page.getByLabel("Auto-promote the best candidate").check();
  const form = formWith(page, "Create policy");
  await expectKeptAfterError(form, "Create policy", /policy/i);
  // What the person sees, said plainly too.
  await expect(page.getByLabel("Model (optional)")).toHaveValue(info.models.demo.id);
  await expect(page.getByRole("group", { name: "Step 1: Fine-tune" }).getByLabel("Kind")).toHaveValue("FINE_TUNE");
  await expect(page.getByRole("group", { name: "Step 2: Quantize" }).getByLabel("Kind")).toHaveValue("QUANTIZE");
  await expect(page.getByRole("group", { name: "Step 2: Quantize" }).getByLabel("Accuracy-aware")).toBeChecked();
  expect(consoleErrors).toEqual([]);
});

test("the policy edit form keeps its fields after a refused save", async ({ page }) => {
  const info = stackInfo();
  await as(page, "ML_ENGINEER", `/policies/${info.demoPolicyId}/edit`, /Edit/);
  await page.getByLabel("Name", { exact: true }).fill("Quantize, edited");
  await page.getByRole("button", { name: "Add step" }).click();
  const step = page.getByRole("group", { name: /^Step 2:/ });
  await choose(step.getByLabel("Kind"), "Fine-tune");
  await step.getByLabel("Epochs").fill("4");
  await page.getByLabel("Max accuracy drop").fill("2"); // over 1: refused by the server action
  await expectKeptAfterError(formWith(page, "Save policy"), "Save policy", /check the fields/i);
});

test("the budget forms keep team, model, action and policy after a refused submit", async ({ page }) => {
  const info = stackInfo();
  await as(page, "FINANCE", "/budgets/new", "New budget");
  await page.getByLabel("Name", { exact: true }).fill("Kept budget");
  await choose(page.getByLabel("Team"), "Fraud Detection");
  await choose(page.getByLabel("Model (optional)"), info.models.demo.name);
  await page.getByLabel("Amount (USD)").fill("-12");
  await choose(page.getByLabel("Period"), "Quarterly");
  await page.getByLabel("Alert thresholds").fill("60, 90");
  await choose(page.getByLabel("Action"), /^Auto-optimize/);
  await choose(page.getByLabel("Policy"), "Quantize to uint8");
  await expectKeptAfterError(formWith(page, "Create budget"), "Create budget", /./);

  await page.goto(`/budgets/${info.demoBudget.id}/edit`);
  await page.getByLabel("Amount (USD)").fill("abc");
  await page.getByLabel("Alert thresholds").fill("70");
  await choose(page.getByLabel("Action"), /^Block promotion/);
  await expectKeptAfterError(formWith(page, "Save budget"), "Save budget", /./);
});

test("the admin forms (hardware, user, team, API key, webhook) keep their fields after the API refuses them", async ({
  page,
}) => {
  const info = stackInfo();
  await as(page, "ADMIN", "/admin/hardware", /Hardware/);
  await page.getByLabel("Profile name").fill("m7i.kept");
  await page.getByLabel("Hourly price (USD)").fill("-0.5");
  await page.getByLabel("vCPUs").fill("2");
  await page.getByLabel("Memory (GiB)").fill("8");
  await page.getByLabel("Batch size (optional)").fill("16");
  await page.getByLabel("Description (optional)").fill("kept");
  await page.getByLabel("Default profile").check();
  await expectKeptAfterError(formWith(page, "Save profile"), "Save profile", /./);

  await page.goto("/admin/users");
  await page.getByLabel("Email", { exact: true }).fill(info.users.FINANCE.email); // taken: CONFLICT
  await page.getByLabel("Full name").fill("Someone Twice");
  await page.getByLabel("Initial password").fill("a long enough password");
  await choose(page.getByLabel("Role", { exact: true }), /^Finance/);
  await choose(page.getByLabel("Team", { exact: true }), "Fraud Detection");
  await expectKeptAfterError(formWith(page, "Create user"), "Create user", /./);

  await page.getByLabel("Team name").fill("Kept team");
  await page.getByLabel("Slug").fill("Not A Slug!");
  await expectKeptAfterError(formWith(page, "Create team"), "Create team", /./);

  await choose(page.getByLabel("Key role"), /^Finance/);
  await choose(page.getByLabel("Key team"), "Fraud Detection");
  await expectKeptAfterError(formWith(page, "Create API key"), "Create API key", /./); // no name

  await page.goto("/admin/webhooks");
  await page.getByLabel("URL").fill("https://hooks.example.com/kept");
  await page.getByLabel("Signing secret").fill("short");
  await page.getByLabel(/^job\.finished/).uncheck();
  await expectKeptAfterError(formWith(page, "Create webhook"), "Create webhook", /./);
});

test("the new model form and the login form keep their fields after a refused submit", async ({ page }) => {
  const info = stackInfo();
  await as(page, "ML_ENGINEER", "/models", "Models");
  await page.getByLabel("Model name").fill(info.models.demo.name); // taken: CONFLICT
  await choose(page.getByLabel("Task"), /^Regression/);
  await page.getByLabel("Description (optional)").fill("a second one");
  await expectKeptAfterError(formWith(page, "Create model"), "Create model", /./);

  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByLabel("Email").fill(info.users.VIEWER.email);
  await page.getByLabel("Password").fill("not the password");
  await expectKeptAfterError(formWith(page, "Sign in"), "Sign in", /./);
});

test("a PNG uploaded as a dataset says what it is, and the upload form keeps its fields", async ({ page }) => {
  const info = stackInfo();
  // A real PNG signature and IHDR chunk: what a person picks by mistake.
  const png = join(tmpdir(), "costgate-e2e-not-a-dataset.csv");
  writeFileSync(
    png,
    Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082",
      "hex",
    ),
  );
  await as(page, "ML_ENGINEER", `/models/${info.models.upload.id}`, info.models.upload.name);
  const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Upload dataset" }) });
  await form.getByLabel("Dataset file").setInputFiles(png);
  await choose(form.getByLabel("Dataset role"), "Train");
  await form.getByLabel("Dataset name (optional)").fill("clicks");
  await expectKeptAfterError(form, "Upload dataset", /is a PNG image, not a CSV/);
  await expect(form.getByRole("alert")).not.toContainText("CSV header");
});
