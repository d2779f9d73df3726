import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "@costgate/testkit";
import { loadApiEnv } from "../../env.ts";
import { createServer, type ApiServer } from "../../server.ts";
import { TestApi } from "../../../test/harness.ts";

/**
 * A query's answer is served again to the same session for RESPONSE_CACHE_SECONDS (a minute here,
 * so that a stale answer would show), never to another caller, and not after a mutation through
 * the API that may have changed it, whichever API process the mutation went through.
 */
const MODELS = `query Models($first: Int!) { models(first: $first) { totalCount edges { node { id name } } } }`;
const WEBHOOKS = `query Webhooks { webhooks { id url } }`;
const CREATE_MODEL = `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`;

let api: TestApi;
let other: ApiServer | undefined;
let otherUrl = "";
/** SQL statements sent by `api`'s database client. */
let statements = 0;

beforeAll(async () => {
  api = await TestApi.start({ RESPONSE_CACHE_SECONDS: "60", AUTH_CACHE_MS: "60000" }, { onQuery: () => statements++ });
  // A second API process on the same database and Redis, as behind a load balancer or in a cluster.
  other = await createServer(loadApiEnv(api.env));
  otherUrl = await other.listen(0, "127.0.0.1");
});
afterAll(async () => {
  await other?.close();
  await api?.stop();
});

interface Answer {
  data?: Record<string, any> | null;
  errors?: { extensions?: { code?: string } }[];
}

/** Sends a query; its answer, and the SQL statements `api` sent meanwhile (on `api` only). */
async function ask(query: string, token: string, variables: Record<string, unknown> = {}, url = api.url) {
  statements = 0;
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Answer;
  return { body, sql: statements };
}
const modelNames = (a: Answer): string[] =>
  (a.data?.models.edges as { node: { name: string } }[]).map((e) => e.node.name).sort();

/** A team with models, and a user of `role` in it whose token the API has verified and keeps (no SQL for its session). */
async function teamUser(role: "ML_ENGINEER" | "FINANCE" | "VIEWER", teamId?: string, models = 2) {
  const team = teamId ?? (await api.createTeam());
  for (let i = 0; i < models; i++)
    await api.db.model.create({
      data: { teamId: team, name: `model-${randomBytes(3).toString("hex")}`, task: "REGRESSION" },
    });
  const user = await api.userToken(role, team);
  await until(
    "the API to keep the verified token",
    async () => (await ask("{ me { id } }", user.token)).sql === 0,
    10_000,
    50,
  );
  return { ...user, teamId: team };
}
const createModel = (token: string, teamId: string, name = `made-${randomBytes(3).toString("hex")}`) =>
  api.ok(CREATE_MODEL, { i: { teamId, name, task: "REGRESSION" } }, token).then(() => name);

describe("the same session asking again", () => {
  it("a second identical query within RESPONSE_CACHE_SECONDS runs no SQL; other variables run theirs", async () => {
    const user = await teamUser("ML_ENGINEER");
    const first = await ask(MODELS, user.token, { first: 10 });
    expect(first.sql).toBeGreaterThan(0);
    expect(modelNames(first.body)).toHaveLength(2);

    const second = await ask(MODELS, user.token, { first: 10 });
    expect(second).toEqual({ body: first.body, sql: 0 });

    const page = await ask(MODELS, user.token, { first: 1 });
    expect(page.sql).toBeGreaterThan(0);
    expect(modelNames(page.body)).toHaveLength(1);
  });

  it("an answer with errors is not kept: asked again, it runs again", async () => {
    const user = await teamUser("ML_ENGINEER");
    const preview = `query($v:ID!){ promotionPreview(versionId:$v){ gateRefuses } }`;
    for (let i = 0; i < 2; i++) {
      const answer = await ask(preview, user.token, { v: "no-such-version" });
      expect(answer.body.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect(answer.sql).toBeGreaterThan(0);
    }
  });
});

describe("read your writes", () => {
  it("after the session's own mutation, its next query answers with the change", async () => {
    const user = await teamUser("ML_ENGINEER");
    await ask(MODELS, user.token, { first: 10 });
    expect((await ask(MODELS, user.token, { first: 10 })).sql).toBe(0);

    const made = await createModel(user.token, user.teamId);
    const after = await ask(MODELS, user.token, { first: 10 });
    expect(after.sql).toBeGreaterThan(0);
    expect(modelNames(after.body)).toContain(made);
  });

  it("a mutation through another API process: the next query of any process answers with the change", async () => {
    const user = await teamUser("ML_ENGINEER");
    await ask(MODELS, user.token, { first: 10 }, otherUrl);
    // A row written behind the API's back is not seen: the other process serves its kept answer.
    const behind = await api.db.model.create({ data: { teamId: user.teamId, name: "behind", task: "REGRESSION" } });
    expect(modelNames((await ask(MODELS, user.token, { first: 10 }, otherUrl)).body)).not.toContain(behind.name);

    const made = await createModel(user.token, user.teamId); // through `api`
    const after = modelNames((await ask(MODELS, user.token, { first: 10 }, otherUrl)).body);
    expect(after).toEqual(expect.arrayContaining([made, behind.name]));
  });

  it("another member's or an ADMIN's mutation reaches the team's kept answers; another team's leaves them", async () => {
    const user = await teamUser("ML_ENGINEER");
    const colleague = await teamUser("ML_ENGINEER", user.teamId, 0);
    const stranger = await teamUser("ML_ENGINEER");
    await ask(MODELS, user.token, { first: 10 });

    const byColleague = await createModel(colleague.token, user.teamId);
    expect(modelNames((await ask(MODELS, user.token, { first: 10 })).body)).toContain(byColleague);

    await createModel(stranger.token, stranger.teamId);
    expect((await ask(MODELS, user.token, { first: 10 })).sql).toBe(0);

    const byAdmin = await createModel(api.adminToken, user.teamId);
    expect(modelNames((await ask(MODELS, user.token, { first: 10 })).body)).toContain(byAdmin);
  });
});

describe("never another caller's answer", () => {
  it("a user of another team asking the same query gets their own team's models", async () => {
    const a = await teamUser("ML_ENGINEER");
    const b = await teamUser("ML_ENGINEER", undefined, 3);
    const answerA = await ask(MODELS, a.token, { first: 10 });
    expect((await ask(MODELS, a.token, { first: 10 })).sql).toBe(0);

    const answerB = await ask(MODELS, b.token, { first: 10 });
    expect(modelNames(answerB.body)).toHaveLength(3);
    expect(modelNames(answerB.body)).not.toEqual(modelNames(answerA.body));
    const own = await api.db.model.findMany({ where: { teamId: b.teamId }, select: { name: true } });
    expect(modelNames(answerB.body)).toEqual(own.map((m) => m.name).sort());
  });

  it("a user of the same team with another role gets their own answer (a VIEWER may not read webhooks)", async () => {
    const finance = await teamUser("FINANCE");
    const viewer = await teamUser("VIEWER", finance.teamId, 0);
    await api.ok(
      `mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`,
      {
        i: {
          teamId: finance.teamId,
          url: "https://hooks.example.com/costgate",
          secret: "a-signing-secret-0123",
          events: ["alert.created"],
        },
      },
      finance.token,
    );
    const financeAnswer = await ask(WEBHOOKS, finance.token);
    expect(financeAnswer.body.data?.webhooks).toEqual([
      expect.objectContaining({ url: "https://hooks.example.com/costgate" }),
    ]);
    expect((await ask(WEBHOOKS, finance.token)).sql).toBe(0);

    const viewerAnswer = await ask(WEBHOOKS, viewer.token);
    expect(viewerAnswer.body.data ?? null).toBeNull();
    expect(viewerAnswer.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("another session of the same user has answers of its own", async () => {
    const user = await teamUser("ML_ENGINEER");
    // Logged in first: a login is a mutation, which would drop the answers kept before it.
    const second = await api.login(user.email, "user-password-123");
    await until(
      "the API to keep the second token",
      async () => (await ask("{ me { id } }", second)).sql === 0,
      10_000,
      50,
    );
    await ask(MODELS, user.token, { first: 10 });
    expect((await ask(MODELS, user.token, { first: 10 })).sql).toBe(0);
    expect((await ask(MODELS, second, { first: 10 })).sql).toBeGreaterThan(0);
  });
});

describe("RESPONSE_CACHE_SECONDS=0", () => {
  it("every query runs all its SQL, the second as the first", async () => {
    let sql = 0;
    // Tokens are looked up every time too, so both requests send the same statements.
    const off = await TestApi.start({ RESPONSE_CACHE_SECONDS: "0", AUTH_CACHE_MS: "0" }, { onQuery: () => sql++ });
    try {
      const user = await off.userToken("ML_ENGINEER", await off.createTeam());
      const counted = async () => {
        sql = 0;
        await off.ok(MODELS, { first: 10 }, user.token);
        return sql;
      };
      const first = await counted();
      expect(first).toBeGreaterThan(2);
      expect(await counted()).toBe(first);
    } finally {
      await off.stop();
    }
  });
});
