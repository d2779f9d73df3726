// Issue #16, defect 7: the audit log names who acted (a user's name, an API key's name) and what
// they acted on (linked to its page), and shows what changed as before → after per field, not raw
// JSON and ids.
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

test("the audit log shows names, a readable diff and links to the entities", async ({ page, consoleErrors }) => {
  const info = stackInfo();
  // The finance lead's key raises the demo budget: the actor is the key, by its name.
  await login(page, "FINANCE");
  const { createApiKey } = await asAdmin(`mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret } }`, {
    i: { name: "finance-sync", role: "FINANCE", teamId: info.teamId },
  });
  const res = await fetch(`${info.apiUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${createApiKey.secret}` },
    body: JSON.stringify({
      query: `mutation($id:ID!,$i:UpdateBudgetInput!){ updateBudget(id:$id, input:$i){ id } }`,
      variables: { id: info.demoBudget.id, i: { amountUsd: "450" } },
    }),
  });
  expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();

  await page.context().clearCookies();
  await login(page, "ADMIN");
  await page.goto("/admin/audit");
  const table = page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "Change" }) });
  await expect(table).toBeVisible();
  // No raw actor ids anywhere in the table.
  await expect(table).not.toContainText("user:");
  await expect(table).not.toContainText("apikey:");

  const update = table
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: "budget.update", exact: true }) })
    .first();
  await expect(update.getByRole("link", { name: "API key finance-sync" })).toBeVisible();
  const entity = update.getByRole("link", { name: info.demoBudget.name, exact: true });
  await expect(entity).toHaveAttribute("href", `/budgets/${info.demoBudget.id}`);
  const amount = update.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "amount (USD)" }) });
  await expect(amount.locator("del")).toHaveText(/^400(\.0+)?$/);
  await expect(amount.locator("ins")).toHaveText(/^450(\.0+)?$/);
  await expect(update).not.toContainText("{");

  // The model created at setup links to its page under its name.
  const created = table
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: info.models.demo.name, exact: true }) })
    .first();
  await expect(created.getByRole("link", { name: info.models.demo.name, exact: true })).toHaveAttribute(
    "href",
    `/models/${info.models.demo.id}`,
  );

  // The entity's history: only its events.
  await update.getByRole("link", { name: `budget history of ${info.demoBudget.name}` }).click();
  await expect(page).toHaveURL(/entityType=Budget&entityId=/);
  await expect(table.getByRole("link", { name: info.models.demo.name, exact: true })).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, "audit-log");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  expect(await seriousViolations(page)).toEqual([]);
  expect(await horizontalOverflow(page)).toBe(0);
  await screenshot(page, "audit-log");
  expect(consoleErrors).toEqual([]);
});
