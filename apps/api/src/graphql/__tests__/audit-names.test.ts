import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../test/harness.ts";

const AUDIT = `query($t:String){ auditEvents(entityType:$t, first: 50){ edges { node {
  actor actorName action entityType entityId entity { name modelId budgetId }
} } } }`;
type Node = {
  actor: string;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string;
  entity: { name: string; modelId: string | null; budgetId: string | null } | null;
};

/** The audit log names who acted and what they acted on, within the caller's team only. */
describe("audit events with names", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.stop());

  it("names users, API keys and entities instead of ids; another team's events stay out", async () => {
    const teamId = await api.createTeam();
    const finance = await api.userToken("FINANCE", teamId);
    const engineer = await api.userToken("ML_ENGINEER", teamId);
    // An API key of the engineer creates a model: the actor is the key, named by its name.
    const { createApiKey } = await api.ok<any>(
      `mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret apiKey { id } } }`,
      { i: { name: "serving-gateway", role: "ML_ENGINEER", teamId } },
      engineer.token,
    );
    const { createModel } = await api.ok<any>(
      `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
      { i: { teamId, name: "Fraud scorer", task: "CLASSIFICATION" } },
      createApiKey.secret,
    );
    const { createBudget } = await api.ok<any>(
      `mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id } }`,
      { i: { teamId, name: "Fraud serving", amountUsd: "400", period: "MONTHLY" } },
      finance.token,
    );
    const other = await api.userToken("ADMIN", null);
    await api.ok(
      `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
      { i: { teamId: await api.createTeam(), name: "Not yours", task: "CLASSIFICATION" } },
      other.token,
    );

    const nodes: Node[] = (await api.ok<any>(AUDIT, {}, engineer.token)).auditEvents.edges.map((e: any) => e.node);
    expect(nodes.find((n) => n.entityType === "Model")).toEqual({
      actor: `apikey:${createApiKey.apiKey.id}`,
      actorName: "API key serving-gateway",
      action: expect.any(String),
      entityType: "Model",
      entityId: createModel.id,
      entity: { name: "Fraud scorer", modelId: createModel.id, budgetId: null },
    });
    expect(nodes.find((n) => n.entityType === "Budget")).toMatchObject({
      actor: `user:${finance.id}`,
      actorName: "FINANCE",
      entity: { name: "Fraud serving", modelId: null, budgetId: createBudget.id },
    });
    expect(nodes.find((n) => n.entityType === "ApiKey")).toMatchObject({
      actorName: "ML_ENGINEER",
      entity: { name: "API key serving-gateway" },
    });
    expect(nodes.map((n) => n.entity?.name)).not.toContain("Not yours");
  });
});
