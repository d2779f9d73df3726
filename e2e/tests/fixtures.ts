// What every test starts from: the stack the global setup started (its URLs, users and the
// data it prepared), the dashboard as baseURL, a login helper and a screenshot helper.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Locator, type Page } from "@playwright/test";
import type { E2eInfo } from "../support/stack-main.ts";

export type Role = "ADMIN" | "FINANCE" | "ML_ENGINEER" | "VIEWER";

const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts", "screenshots");

export function stackInfo(): E2eInfo {
  const raw = process.env.COSTGATE_E2E_STACK;
  if (!raw)
    throw new Error(
      "COSTGATE_E2E_STACK is not set: run the suite through playwright.config.ts (its global setup starts the stack)",
    );
  const info = JSON.parse(raw) as E2eInfo;
  if (!info.webUrl) throw new Error("the stack has no web app: apps/web/package.json does not exist");
  return info;
}

/** Signs in through the login form and waits until the dashboard shows. */
export async function login(page: Page, role: Role): Promise<void> {
  const user = stackInfo().users[role];
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

/** The dashboard's session cookie (apps/web/src/lib/config.ts SESSION_COOKIE): httpOnly, SameSite=Lax. */
const SESSION_COOKIE = "costgate_session";

/**
 * The API token the dashboard keeps in its session cookie after login (the cookie's value is the
 * API's `login.token` as is; httpOnly, so read through the browser context).
 */
export async function sessionToken(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === SESSION_COOKIE);
  if (!session)
    throw new Error(
      `no ${SESSION_COOKIE} cookie after login (cookies: ${cookies.map((c) => c.name).join(", ") || "none"})`,
    );
  if (!session.httpOnly) throw new Error(`the ${SESSION_COOKIE} cookie is not httpOnly`);
  if (session.sameSite !== "Lax" && session.sameSite !== "Strict")
    throw new Error(`the ${SESSION_COOKIE} cookie is SameSite=${session.sameSite}`);
  return decodeURIComponent(session.value);
}

/** A full-page screenshot in e2e/artifacts/screenshots/<name>-<width>.png, attached to the report too. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const path = join(screenshotDir, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  await test.info().attach(`${name}-${width}`, { path, contentType: "image/png" });
}

/** Picks an option in a labelled field, whether it is a native <select> or a combobox. */
export async function choose(field: Locator, option: string | RegExp): Promise<void> {
  const tag = await field.evaluate((el) => el.tagName);
  if (tag === "SELECT") {
    const options = await field.locator("option").allTextContents();
    const label = options.find((o) => (typeof option === "string" ? o.trim() === option : option.test(o)));
    if (!label) throw new Error(`no option ${option} among ${JSON.stringify(options)}`);
    await field.selectOption({ label });
    return;
  }
  await field.click();
  await field.page().getByRole("option", { name: option }).first().click();
}

/** Runs a GraphQL operation against the API with a bearer token; returns the parsed body. */
export async function graphql(token: string | null, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${stackInfo().apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** As the seed's admin (for reading state the tests wait on). */
let adminToken: string | undefined;
export async function asAdmin(query: string, variables: Record<string, unknown> = {}) {
  if (!adminToken) {
    const { email, password } = stackInfo().users.ADMIN;
    const r = await graphql(
      null,
      `
        mutation ($e: String!, $p: String!) {
          login(email: $e, password: $p) {
            token
          }
        }
      `,
      { e: email, p: password },
    );
    adminToken = r.data?.login?.token;
    if (!adminToken) throw new Error(`admin login failed: ${JSON.stringify(r.errors)}`);
  }
  const r = await graphql(adminToken, query, variables);
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}

/**
 * A new model of the team with `versions` READY versions: the demo's upload and datasets registered
 * again (each version evaluated and measured by the worker), for tests that change a model's
 * prices, traffic or budgets without touching the demo model other tests read.
 */
export async function modelWithVersions(name: string, versions: number): Promise<{ id: string; versionIds: string[] }> {
  const info = stackInfo();
  const { modelVersion } = await asAdmin(
    `query($id:ID!){ modelVersion(id:$id){ artifact { id } model { datasets { name role artifact { id } } } } }`,
    { id: info.models.demo.versionId },
  );
  const { createModel } = await asAdmin(`mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`, {
    i: { teamId: info.teamId, name, task: "CLASSIFICATION" },
  });
  for (const d of modelVersion.model.datasets)
    await asAdmin(`mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id } }`, {
      i: { modelId: createModel.id, name: d.name, role: d.role, artifactId: d.artifact.id },
    });
  const versionIds: string[] = [];
  for (let n = 0; n < versions; n++) {
    const { registerModelVersion } = await asAdmin(
      `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id } }`,
      { i: { modelId: createModel.id, artifactId: modelVersion.artifact.id } },
    );
    versionIds.push(registerModelVersion.id);
  }
  await expect
    .poll(
      async () => {
        const statuses = await Promise.all(
          versionIds.map(
            async (id) =>
              (await asAdmin(`query($id:ID!){ modelVersion(id:$id){ status } }`, { id })).modelVersion.status,
          ),
        );
        if (statuses.includes("FAILED")) throw new Error(`a version of ${name} failed`);
        return statuses.every((s) => s === "READY");
      },
      { timeout: 240_000, intervals: [1000] },
    )
    .toBe(true);
  return { id: createModel.id, versionIds };
}

export const test = base.extend<{ consoleErrors: string[] }>({
  /** The dashboard the global setup started; a stack without it is an error, not a skip. */
  baseURL: async ({}, use) => {
    await use(stackInfo().webUrl!);
  },
  /** Errors the pages logged to the console or threw; tests that care assert it is empty. */
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
    await use(errors);
  },
});

/** The page's serious or critical WCAG 2.1 AA violations (axe-core), one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×, e.g. ${v.nodes[0]?.target.join(" ")})`);
}

/** How far the page scrolls sideways (0 when it fits the viewport). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

export { expect };
