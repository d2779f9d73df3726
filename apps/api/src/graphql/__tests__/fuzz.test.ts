import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../test/harness.ts";

/** Deterministic PRNG (mulberry32), so a failure names a request that can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BAD_VALUES: unknown[] = [
  "",
  " ",
  "a\u0000b",
  "\u0000",
  "x".repeat(100_000),
  "é\u202e🙂",
  "' OR 1=1 --",
  "../../etc/passwd",
  "%00",
  "\ud800",
  -1,
  0,
  2 ** 31,
  -(2 ** 31) - 1,
  1e308,
  -0.0,
  3.14159,
  Number.MAX_SAFE_INTEGER,
  "1e400",
  "-1",
  "0.0000001",
  "1.2.3",
  "NaN",
  "Infinity",
  "12,50",
  "99999999999999999999999.999999",
  true,
  null,
  [],
  [1, 2],
  {},
  { a: { b: { c: {} } } },
  "2026-13-45T99:00:00Z",
  "not-a-date",
  "1970-01-01T00:00:00Z",
];

/** Operations whose arguments come from BAD_VALUES; `$v` is the fuzzed variable. */
const TEMPLATES: { query: string; vars: (v: unknown) => Record<string, unknown> }[] = [
  { query: `mutation($v:String!){ login(email:$v, password:$v){ token } }`, vars: (v) => ({ v }) },
  { query: `query($v:ID!){ model(id:$v){ id versions(first: -1){ totalCount } } }`, vars: (v) => ({ v }) },
  { query: `query($v:ID!){ model(id:$v){ id versions(first: 0){ totalCount } } }`, vars: (v) => ({ v }) },
  { query: `query($v:Int){ models(first:$v){ totalCount } }`, vars: (v) => ({ v }) },
  { query: `query($v:String){ models(search:$v, first: 5){ totalCount } }`, vars: (v) => ({ v }) },
  { query: `query($v:String){ models(after:$v){ totalCount } }`, vars: (v) => ({ v }) },
  { query: `query($v:ID){ budgets(teamId:$v){ id } }`, vars: (v) => ({ v }) },
  { query: `query($v:ID!){ budget(id:$v){ id } }`, vars: (v) => ({ v }) },
  { query: `query($v:ID!){ modelVersion(id:$v){ id } }`, vars: (v) => ({ v }) },
  { query: `query($v:ID!){ promotionPreview(versionId:$v){ projectedMonthlyUsd } }`, vars: (v) => ({ v }) },
  { query: `query($v:DateTime!){ spend(from:$v, to:$v){ costUsd } }`, vars: (v) => ({ v }) },
  { query: `query($v:String){ auditEvents(action:$v, entityType:$v){ totalCount } }`, vars: (v) => ({ v }) },
  { query: `mutation($v:String!){ createTeam(input:{ name:$v, slug:$v }){ id } }`, vars: (v) => ({ v }) },
  {
    query: `mutation($v:String!,$t:ID!){ createModel(input:{ teamId:$t, name:$v, task: REGRESSION, description:$v }){ id } }`,
    vars: (v) => ({ v, t: "__TEAM__" }),
  },
  {
    query: `mutation($v:Decimal!,$t:ID!){ createBudget(input:{ teamId:$t, name:"b", amountUsd:$v, period: MONTHLY }){ id } }`,
    vars: (v) => ({ v, t: "__TEAM__" }),
  },
  {
    query: `mutation($v:String!,$t:ID!){ createBudget(input:{ teamId:$t, name:$v, amountUsd:"10", period: MONTHLY }){ id } }`,
    vars: (v) => ({ v, t: "__TEAM__" }),
  },
  {
    query: `mutation($v:[UsageInput!]!){ recordUsage(input:$v){ accepted } }`,
    vars: (v) => ({ v: [{ versionId: v, requests: v, occurredAt: v, idempotencyKey: v }] }),
  },
  {
    query: `mutation($v:String!){ recordUsage(input:[{ versionId:$v, requests: 1, occurredAt:"2026-01-01T00:00:00Z", idempotencyKey:$v }]){ accepted } }`,
    vars: (v) => ({ v }),
  },
  {
    query: `mutation($v:String!,$t:ID!){ createWebhook(input:{ teamId:$t, url:$v, secret:$v, events:[$v] }){ id } }`,
    vars: (v) => ({ v, t: "__TEAM__" }),
  },
  {
    query: `mutation($v:Decimal!){ upsertHardwareProfile(input:{ name:"fuzz", hourlyPriceUsd:$v, vcpus: 1, memoryGiB: 1 }){ id } }`,
    vars: (v) => ({ v }),
  },
  {
    query: `mutation($v:String!){ createUser(input:{ email:$v, name:$v, password:$v, role: VIEWER }){ id } }`,
    vars: (v) => ({ v }),
  },
  { query: `mutation($v:String!){ createApiKey(input:{ name:$v, role: VIEWER }){ secret } }`, vars: (v) => ({ v }) },
  { query: `mutation($v:ID!){ revokeApiKey(id:$v){ id } }`, vars: (v) => ({ v }) },
  { query: `mutation($v:ID!){ acknowledgeAlert(id:$v){ id } }`, vars: (v) => ({ v }) },
  { query: `mutation($v:ID!){ deleteBudget(id:$v) }`, vars: (v) => ({ v }) },
  {
    query: `mutation($v:JSON!,$t:ID!){ createOptimizationPolicy(input:{ teamId:$t, name:"p", maxAccuracyDrop: 0.1, steps:[{ kind: PRUNE, params:$v }] }){ id } }`,
    vars: (v) => ({ v, t: "__TEAM__" }),
  },
  { query: `mutation($v:String!){ changePassword(currentPassword:$v, newPassword:$v) }`, vars: (v) => ({ v }) },
];

/** Requests that are broken as documents or bodies, not by their values. */
function brokenBodies(): { body: string; contentType?: string }[] {
  const deep = (n: number) =>
    "{ me { team { models { edges { node { team { ".repeat(1) +
    "models { edges { node { ".repeat(n) +
    "id" +
    " } } }".repeat(n) +
    " } } } } } } }";
  const bomb = (levels: number) =>
    `query { ...F1 } ${Array.from({ length: levels - 1 }, (_, i) => `fragment F${i + 1} on Query { ...F${i + 2} ...F${i + 2} }`).join(" ")} fragment F${levels} on Query { __typename }`;
  return [
    { body: "not json at all" },
    { body: "" },
    { body: "[]" },
    { body: "null" },
    { body: '{"query": 5}' },
    { body: '{"query": "{ me { id } }", "variables": "nope"}' },
    { body: '{"query": "{ me { id } }", "variables": [1]}' },
    { body: '{"query": "{ me { id } }", "operationName": 7}' },
    { body: '{"query": "{ me { id } }"', contentType: "application/json" },
    { body: "query=%7Bme%7D", contentType: "application/x-www-form-urlencoded" },
    { body: "{ me { id } }", contentType: "text/plain" },
    { body: JSON.stringify({ query: "{ me { id " }) },
    { body: JSON.stringify({ query: "{ __schema { types { name } } }" }) },
    { body: JSON.stringify({ query: deep(12) }) },
    { body: JSON.stringify({ query: bomb(30) }) },
    { body: JSON.stringify({ query: `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: __typename`).join(" ")} }` }) },
    {
      body: JSON.stringify({
        query: `mutation { ${Array.from({ length: 200 }, (_, i) => `l${i}: login(email: "a", password: "b") { token }`).join(" ")} }`,
      }),
    },
    {
      body: JSON.stringify({
        query: `{ models(first: 100) { edges { node { versions(first: 100) { edges { node { id } } } } } } }`,
      }),
    },
    { body: JSON.stringify({ query: `{ model(id: "x\\u0000y") { id } }` }) },
    { body: JSON.stringify({ query: `mutation { login(email: "a\\u0000b", password: "c") { token } }` }) },
    { body: JSON.stringify({ query: `{ models(first: 99999999999) { totalCount } }` }) },
    { body: JSON.stringify({ query: `{ spend(from: "x", to: "y") { costUsd } }` }) },
    { body: JSON.stringify({ query: "query A { me { id } } query B { me { id } }" }) },
    { body: JSON.stringify({ query: "query A { me { id } }", operationName: "Nope" }) },
    { body: JSON.stringify({ query: "subscription { me { id } }" }) },
  ];
}

describe("fuzz: 600 malformed GraphQL requests", () => {
  let api: TestApi;
  let teamId: string;
  beforeAll(async () => {
    api = await TestApi.start({ LOGIN_MAX_FAILURES_PER_ADDRESS: "100000", LOGIN_MAX_FAILURES_PER_ACCOUNT: "100000" });
    teamId = await api.createTeam();
  });
  afterAll(() => api?.stop());

  it("answers a NUL byte in a string argument with BAD_USER_INPUT naming where it is", async () => {
    const r = await api.gql(`mutation($e:String!){ login(email:$e, password:"x") { token } }`, { e: "a\u0000b" }, null);
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.message).toBe("Variable $e must not contain NUL (\\u0000) characters");
    const literal = await api.gql(`{ model(id: "x\\u0000y") { id } }`, {}, api.adminToken);
    expect(literal.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const nested = await api.gql(
      `mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted } }`,
      { i: [{ versionId: "v", requests: 1, occurredAt: "2026-01-01T00:00:00Z", idempotencyKey: "k\u0000" }] },
      api.adminToken,
    );
    expect(nested.errors?.[0]?.message).toMatch(/\$i\[0\]\.idempotencyKey must not contain NUL/);
  });

  it("answers every one without a 500 or INTERNAL_SERVER_ERROR, and stays healthy", async () => {
    const next = rng(12);
    const requests: { body: string; contentType?: string; token: string | null }[] = [];
    for (const b of brokenBodies()) requests.push({ ...b, token: api.adminToken }, { ...b, token: null });
    while (requests.length < 600) {
      const t = TEMPLATES[Math.floor(next() * TEMPLATES.length)]!;
      const v = BAD_VALUES[Math.floor(next() * BAD_VALUES.length)];
      const vars = JSON.parse(JSON.stringify(t.vars(v)).replaceAll('"__TEAM__"', JSON.stringify(teamId)));
      requests.push({
        body: JSON.stringify({ query: t.query, variables: vars }),
        token: next() < 0.8 ? api.adminToken : null,
      });
    }
    expect(requests).toHaveLength(600);

    const failures: string[] = [];
    for (const [i, r] of requests.entries()) {
      const res = await fetch(`${api.url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": r.contentType ?? "application/json",
          ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
        },
        body: r.body,
      });
      const text = await res.text();
      if (res.status >= 500 || text.includes("INTERNAL_SERVER_ERROR"))
        failures.push(`#${i} ${res.status} ${r.body.slice(0, 160)} -> ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);

    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await api.ok<{ me: { id: string } }>(`{ me { id } }`)).me.id).toBeTruthy();
  }, 180_000);
});
