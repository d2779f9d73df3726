// Issue 16: a webhook's recent deliveries say when a delivery waiting for a retry is tried again
// and what it sent, and "Send test event" puts a webhook.test delivery in that table.
import { asAdmin, expect, login, screenshot, stackInfo, test } from "./fixtures.ts";

const suffix = Date.now().toString(36).slice(-4);

test("a finance user sends a test event, sees when it is retried, and reads what was sent", async ({ page }) => {
  // No such host: every attempt fails, so the delivery waits for its retries (10 s, 20 s, 40 s …).
  const url = `https://hooks.example.com/e2e-test-${suffix}`;
  const { createWebhook: hook } = await asAdmin(`mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`, {
    i: { teamId: stackInfo().teamId, url, secret: "an-e2e-signing-secret-123", events: ["job.finished"] },
  });

  await login(page, "FINANCE");
  await page.goto("/admin/webhooks");
  const card = page.locator(`#webhook-${hook.id}`);
  const deliveries = card.getByRole("region", { name: `Recent deliveries to ${url}` });
  await expect(card).toContainText("No deliveries yet");
  // A double click sends one test event.
  await card.getByRole("button", { name: "Send test event" }).dblclick();
  await expect(card.getByRole("status")).toContainText("Test event queued");

  const row = deliveries.getByRole("row").filter({ hasText: "webhook.test" });
  await expect(row).toHaveCount(1);
  // The page follows the delivery by itself: its first attempt fails, and the row says when the next one is.
  await expect(row).toContainText("Retrying", { timeout: 60_000 });
  await expect(row).toContainText(/Next attempt (in \d+ (s|min)|due now)/);
  await expect(row).toContainText(/request failed: \w+|no answer within \d+ ms|HTTP \d{3}/);

  await row.getByText("Payload", { exact: true }).click();
  const payload = row.locator("pre");
  await expect(payload).toBeVisible();
  const text = (await payload.textContent()) ?? "";
  expect(text, "pretty-printed").toContain('\n  "event": "webhook.test"');
  expect(JSON.parse(text)).toMatchObject({
    event: "webhook.test",
    teamId: stackInfo().teamId,
    data: { webhookId: hook.id, requestedBy: "Fiona Finance" },
  });
  expect(JSON.parse(text).deliveryId).toMatch(/^c[a-z0-9]+$/);
  await expect(deliveries.getByRole("row").filter({ hasText: "webhook.test" })).toHaveCount(1);

  await screenshot(page, "webhook-deliveries");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(row.locator("pre")).toBeVisible();
  await screenshot(page, "webhook-deliveries");
});

test("roles that do not manage webhooks see no payloads and no test button", async ({ page }) => {
  await login(page, "ML_ENGINEER");
  await page.goto("/admin/webhooks");
  await expect(page.locator("main")).toContainText("finance and admins can");
  await expect(page.getByRole("button", { name: "Send test event" })).toHaveCount(0);
  await expect(page.getByText("Payload", { exact: true })).toHaveCount(0);
});
