// Issue #16, defect 2: when the preview says the cost gate will refuse, the dialog says so in
// people's words ("10 billion requests", "production"), Promote is disabled and relabelled, and an
// ML engineer can request an override, which alerts the team's ADMIN/FINANCE (an alert they see
// on the overview) and emits `promotion.override_requested` to the team's webhooks.
import { createDb } from "@costgate/db";
import { storeCost } from "@costgate/testkit";
import { asAdmin, expect, login, modelWithVersions, screenshot, stackInfo, test } from "./fixtures.ts";

test("a blocked promotion is explained, disabled, and an override can be requested", async ({
  page,
  consoleErrors,
}) => {
  const info = stackInfo();
  const model = await modelWithVersions("Override demo", 1);
  const demo = { id: model.id, versionId: model.versionIds[0]! };
  const db = createDb(info.databaseUrl, { maxConnections: 1 });
  try {
    // 10 billion requests served by v1 this month, at its measured price.
    const { modelVersion: v1 } = await asAdmin(
      `query($id:ID!){ modelVersion(id:$id){ number cost { costPerMillionUsd hardwareProfile { id } } } }`,
      { id: demo.versionId },
    );
    const price = Number(v1.cost.costPerMillionUsd);
    const now = new Date().toISOString();
    await asAdmin(`mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted } }`, {
      i: Array.from({ length: 5 }, (_, k) => ({
        versionId: demo.versionId,
        requests: 2_000_000_000,
        occurredAt: now,
        idempotencyKey: `e2e-override-${k}`,
      })),
    });
    // Measured again at three times the price (a slower machine): serving the same traffic would
    // now cost twice as much more than recorded, which a blocking budget with half that left refuses.
    await storeCost(db, demo.versionId, v1.cost.hardwareProfile.id, (price * 3).toFixed(6));
    const monthly = (10_000_000_000 * price) / 1e6;
    await asAdmin(`mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id } }`, {
      i: {
        teamId: info.teamId,
        modelId: demo.id,
        name: "Override demo hard cap",
        amountUsd: (monthly * 1.5).toFixed(2),
        period: "MONTHLY",
        action: "BLOCK_PROMOTION",
      },
    });
    const { createWebhook } = await asAdmin(`mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`, {
      i: {
        teamId: info.teamId,
        url: "https://hooks.example.com/costgate-overrides",
        secret: "an-e2e-signing-secret-123",
        events: ["promotion.override_requested"],
      },
    });

    await login(page, "ML_ENGINEER");
    await page.goto(`/models/${demo.id}`);
    const row = page
      .getByRole("region", { name: "Versions" })
      .getByRole("row")
      .filter({ has: page.getByRole("cell", { name: "v1", exact: true }) });
    await row.getByRole("button", { name: "Promote" }).click();
    const dialog = page.getByRole("dialog", { name: "Promote version 1" });
    await expect(dialog.getByText("The cost gate will refuse this promotion")).toBeVisible({ timeout: 30_000 });
    await expect(dialog).toContainText("(10 billion requests)");
    await expect(dialog).toContainText("which blocks promotions to production");
    await expect(dialog).toContainText("“Override demo hard cap”");
    for (const apiWord of ["10000000000", "PRODUCTION", "overrideReason", "BLOCK_PROMOTION"])
      await expect(dialog).not.toContainText(apiWord);
    await screenshot(page, "promote-blocked");
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(dialog.getByText("The cost gate will refuse this promotion")).toBeVisible();
    await screenshot(page, "promote-blocked");
    await page.setViewportSize({ width: 1280, height: 800 });
    const primary = dialog.getByRole("button", { name: "Blocked by the budget" });
    await expect(primary).toBeDisabled();
    await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toHaveCount(0);

    await dialog.getByLabel("Why it should go to production anyway").fill("Launch week: recall matters more");
    await dialog.getByRole("button", { name: "Request an override" }).click();
    await expect(dialog.getByRole("status")).toContainText(
      "Override requested: the team's admins and finance were alerted on the budget “Override demo hard cap”",
    );
    await expect(dialog.getByRole("button", { name: "Request an override" })).toHaveCount(0);

    // The alert, with who asked, why and the projection; the webhook delivery.
    const { alerts } = await asAdmin(
      `{ alerts(acknowledged: false, first: 50) { edges { node { kind budget { name } overrideRequest { requestedBy reason version { number } projection } } } } }`,
    );
    const request = alerts.edges.map((e: any) => e.node).find((a: any) => a.kind === "OVERRIDE_REQUEST");
    expect(request).toMatchObject({
      budget: { name: "Override demo hard cap" },
      overrideRequest: {
        reason: "Launch week: recall matters more",
        version: { number: 1 },
        projection: expect.objectContaining({ trafficRequests: "10000000000" }),
      },
    });
    expect(request.overrideRequest.requestedBy).not.toMatch(/^user:/);
    const { webhooks } = await asAdmin(`{ webhooks { id deliveries { event } } }`);
    expect(webhooks.find((w: any) => w.id === createWebhook.id).deliveries).toEqual([
      { event: "promotion.override_requested" },
    ]);

    // Finance sees it among the open alerts of the overview.
    await page.context().clearCookies();
    await login(page, "FINANCE");
    await page.goto("/");
    await expect(page.getByRole("region", { name: /Open alerts/ })).toContainText(
      /asks to override the cost gate for v1 .*Launch week: recall matters more/,
    );
    expect(consoleErrors).toEqual([]);
  } finally {
    await db.$disconnect();
  }
});
