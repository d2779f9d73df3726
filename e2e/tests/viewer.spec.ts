// A VIEWER reads everything of their team but sees no control that changes anything, and the API
// refuses a mutation sent directly with the VIEWER's session.
import { asAdmin, expect, graphql, login, sessionToken, stackInfo, test } from "./fixtures.ts";

// Every control that changes something (apps/web/README.md); "Sign out", "Search" and "Filter" stay.
const EDIT_CONTROLS =
  /^(New budget|Create budget|Save budget|Edit|Delete|Delete budget|Acknowledge|Create model|Upload version|Upload dataset|Promote|Override and promote|New policy|Add step|Create policy|Save policy|Enable|Disable|Run|Run policy|Cancel|Save profile|Create user|Create team|Create API key|Create webhook|Re-measure|Re-evaluate|Queue measurement)$/;

test("a VIEWER sees no edit controls, and a mutation sent with their session is refused", async ({
  page,
  consoleErrors,
}) => {
  const { models, demoJobId, demoPolicyId, demoBudget } = stackInfo();
  await login(page, "VIEWER");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();

  // Pages may not be framed or sniffed.
  const overview = await page.goto("/");
  expect(overview?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(overview?.headers()["x-frame-options"]).toBe("DENY");
  expect(overview?.headers()["x-content-type-options"]).toBe("nosniff");
  // The upload route refuses a request from another origin, even with the session cookie.
  const crossSite = await page.request.post("/api/uploads", {
    headers: { origin: "https://evil.example", "content-type": "multipart/form-data; boundary=x" },
    data: "--x--",
  });
  expect(crossSite.status()).toBe(403);

  for (const path of [
    "/",
    "/budgets",
    `/budgets/${demoBudget.id}`,
    "/models",
    `/models/${models.demo.id}`,
    "/policies",
    `/policies/${demoPolicyId}`,
    "/jobs",
    `/jobs/${demoJobId}`,
    "/admin/hardware",
    "/admin/webhooks",
  ]) {
    await page.goto(path);
    // The page itself, not its error or not-found state (which would have no controls either).
    await expect(page.getByRole("heading", { level: 1 }), `the heading of ${path}`).not.toHaveText(
      /^(This page could not be shown|Not found|Sign in)$/,
    );
    await expect(page.getByRole("button", { name: EDIT_CONTROLS }), `edit buttons on ${path}`).toHaveCount(0);
    await expect(page.getByRole("link", { name: EDIT_CONTROLS }), `edit links on ${path}`).toHaveCount(0);
    await expect(page.locator('input[type="file"]'), `file inputs on ${path}`).toHaveCount(0);
  }
  // The model page shows the version (the VIEWER reads), only without the controls.
  await page.goto(`/models/${models.demo.id}`);
  await expect(page.getByRole("heading", { level: 1, name: models.demo.name })).toBeVisible();
  await expect(page.getByRole("cell", { name: /ready/i }).first()).toBeVisible();

  // Pages they may not use at all are not offered, or say so.
  for (const path of ["/budgets/new", "/policies/new"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(
      page.getByRole("status").filter({ hasText: "Your role cannot" }),
      `the notice on ${path}`,
    ).toBeVisible();
    await expect(page.getByRole("button", { name: EDIT_CONTROLS }), `edit buttons on ${path}`).toHaveCount(0);
  }

  // The API is the real guard: the VIEWER's own session, sent straight to it, is refused.
  const token = await sessionToken(page);
  const me = await graphql(
    token,
    `
      {
        me {
          email
          role
        }
      }
    `,
  );
  expect(me.data?.me).toEqual({ email: stackInfo().users.VIEWER.email, role: "VIEWER" });

  const attempt = await graphql(
    token,
    `
      mutation ($i: CreateModelInput!) {
        createModel(input: $i) {
          id
        }
      }
    `,
    {
      i: { teamId: stackInfo().teamId, name: "Sneaky model", task: "CLASSIFICATION" },
    },
  );
  expect(attempt.data?.createModel ?? null).toBeNull();
  expect(attempt.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

  const promote = await graphql(
    token,
    `
      mutation ($i: PromoteModelVersionInput!) {
        promoteModelVersion(input: $i) {
          version {
            id
            stage
          }
        }
      }
    `,
    {
      i: { versionId: models.demo.versionId, stage: "PRODUCTION" },
    },
  );
  expect(promote.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

  // Nothing changed.
  const { models: list } = await asAdmin(`query($s:String){ models(search:$s){ totalCount } }`, { s: "Sneaky" });
  expect(list.totalCount).toBe(0);

  // Sign out ends the session at the API, not only the cookie in this browser.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  const after = await graphql(
    token,
    `
      {
        me {
          email
        }
      }
    `,
  );
  expect(after.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  expect(consoleErrors).toEqual([]);
});
