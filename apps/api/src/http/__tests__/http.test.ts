import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../test/harness.ts";

/** extensions.code values the public contract allows (shared/contract/schema.graphql). */
const CONTRACT_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "CONFLICT",
  "COST_GATE_BLOCKED",
  "RATE_LIMITED",
  "INTERNAL_SERVER_ERROR",
];

type GqlBody = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** Parses the Prometheus text format into { name, labels, value } samples. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}
const sampleValue = (text: string, name: string, labels: Record<string, string>): number | undefined =>
  samples(text).find(
    (s) =>
      s.name === name &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
      Object.keys(s.labels).length === Object.keys(labels).length,
  )?.value;

describe("HTTP surface", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ GRAPHQL_MAX_DEPTH: "8", GRAPHQL_MAX_COST: "1000", GRAPHQL_BODY_LIMIT: "20kb" });
  });
  afterAll(() => api?.stop());

  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.adminToken}`, ...headers },
      body,
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      json: (() => {
        try {
          return JSON.parse(text) as GqlBody & { error?: { code: string; message: string } };
        } catch {
          return null;
        }
      })(),
    };
  };
  const query = (q: string, variables: Record<string, unknown> = {}) => post(JSON.stringify({ query: q, variables }));

  describe("health", () => {
    it("GET /healthz answers 200", async () => {
      const res = await fetch(`${api.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    });

    it("GET /readyz answers 200 when the database and Redis answer and the artifact folder is usable", async () => {
      const res = await fetch(`${api.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: "ready",
        checks: { database: "ok", redis: "ok", artifacts: "ok" },
      });
    });

    it("an unknown route answers 404 NOT_FOUND as JSON", async () => {
      const res = await fetch(`${api.url}/no-such-route`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    });

    describe("with Redis unreachable", () => {
      let down: TestApi;
      beforeAll(async () => {
        down = await TestApi.start({ REDIS_URL: "redis://127.0.0.1:1" });
      });
      // Shutting down must not wait for Redis either (the hook times out if it does).
      afterAll(() => down?.stop());

      it("GET /readyz answers 503 naming redis, while the process stays alive", async () => {
        const res = await fetch(`${down.url}/readyz`);
        expect(res.status).toBe(503);
        const body = (await res.json()) as { status: string; checks: Record<string, string> };
        expect(body.status).toBe("not ready");
        expect(body.checks.database).toBe("ok");
        // Which dependency, never its error text (addresses, driver messages): that goes to the log.
        expect(body.checks.redis).toBe("unavailable");
        expect((await fetch(`${down.url}/healthz`)).status).toBe(200);
      });

      it("registerModelVersion still answers with the PENDING version instead of waiting for Redis", async () => {
        const teamId = await down.createTeam();
        const model = await down.db.model.create({ data: { teamId, name: "m", task: "CLASSIFICATION" } });
        const artifact = await down.db.artifact.create({
          data: {
            kind: "TFJS_LAYERS_MODEL",
            sha256: randomBytes(32).toString("hex"),
            sizeBytes: 1,
            files: [],
            metadata: {},
            teamId,
            createdBy: "system",
          },
        });
        const r = await down.gql<{ registerModelVersion: { number: number; status: string } }>(
          `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ number status } }`,
          { i: { modelId: model.id, artifactId: artifact.id } },
          down.adminToken,
        );
        expect(r.errors).toBeUndefined();
        expect(r.data!.registerModelVersion).toEqual({ number: 1, status: "PENDING" });
      });
    });
  });

  describe("query limits", () => {
    // me(1) team(2) models(3) edges(4) node(5) team(6) models(7) edges(8) node(9)
    const nineDeep = `{ me { team { models { edges { node { team { models { edges { node { id } } } } } } } } } }`;

    it("refuses a query nested deeper than GRAPHQL_MAX_DEPTH with BAD_USER_INPUT naming depth and limit", async () => {
      const r = await query(nineDeep);
      expect(r.status).toBe(400);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(r.json?.errors?.[0]?.message).toMatch(/nested 9 levels deep; the limit is 8/);
      expect(r.json?.data ?? null).toBeNull();
    });

    it("counts depth through fragments", async () => {
      const r = await query(
        `query { ...Deep } fragment Deep on Query { me { team { models { edges { node { ...Inner } } } } } } fragment Inner on Model { team { models { edges { node { id } } } } }`,
      );
      expect(r.json?.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(r.json?.errors?.[0]?.message).toMatch(/nested 9 levels deep; the limit is 8/);
    });

    it("serves a query exactly at the depth limit", async () => {
      const r = await query(`{ me { team { models { edges { node { team { models { edges { cursor } } } } } } } } }`);
      expect(r.status).toBe(200);
      expect(r.json?.errors).toBeUndefined();
    });

    it("refuses a query whose cost exceeds GRAPHQL_MAX_COST with BAD_USER_INPUT naming the cost", async () => {
      const r = await query(
        `{ models(first: 100) { edges { node { versions(first: 100) { edges { node { id } } } } } } }`,
      );
      expect(r.status).toBe(400);
      expect(r.json?.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      // 1 + 100 × (edges 1 + node 1 + versions (1 + 100 × 3)) = 30301
      expect(r.json?.errors?.[0]?.message).toMatch(/costs 30301; the limit is 1000/);
    });

    it("counts page sizes given as variables too", async () => {
      const r = await query(
        `query($n: Int) { models(first: $n) { edges { node { versions(first: $n) { edges { node { id } } } } } } }`,
        { n: 100 },
      );
      expect(r.json?.errors?.[0]?.message).toMatch(/costs 30301/);
      const small = await query(
        `query($n: Int) { models(first: $n) { edges { node { versions(first: $n) { edges { node { id } } } } } } }`,
        { n: 5 },
      );
      expect(small.json?.errors).toBeUndefined();
    });

    it("answers 413 for a body over GRAPHQL_BODY_LIMIT", async () => {
      const r = await post(JSON.stringify({ query: "{ me { id } }", variables: { pad: "x".repeat(30 * 1024) } }));
      expect(r.status).toBe(413);
      expect(r.json?.error?.message).toMatch(/limit/);
      // Just under the limit is served.
      const ok = await post(JSON.stringify({ query: "{ me { id } }", variables: { pad: "x".repeat(15 * 1024) } }));
      expect(ok.status).toBe(200);
    });

    it("answers 400 BAD_USER_INPUT for a body that is not JSON", async () => {
      const r = await post("{ this is not json");
      expect(r.status).toBe(400);
      expect(r.json?.error?.code).toBe("BAD_USER_INPUT");
    });
  });

  describe("error codes", () => {
    const bad: [string, () => Promise<{ status: number; json: GqlBody | null }>][] = [
      ["an unknown field", () => query(`{ me { id nope } }`)],
      ["a syntax error", () => query(`{ me { id `)],
      ["an unknown argument", () => query(`{ models(colour: "red") { totalCount } }`)],
      ["a literal of the wrong type", () => query(`{ models(first: "ten") { totalCount } }`)],
      [
        "an unknown enum value in a variable",
        () =>
          query(`mutation($i: CreateModelInput!) { createModel(input: $i) { id } }`, {
            i: { teamId: "t", name: "n", task: "CLUSTERING" },
          }),
      ],
      [
        "a missing required input field",
        () =>
          query(`mutation($i: CreateModelInput!) { createModel(input: $i) { id } }`, { i: { teamId: "t", name: "n" } }),
      ],
      [
        "a variable of the wrong type",
        () => query(`query($f: Int) { models(first: $f) { totalCount } }`, { f: "ten" }),
      ],
      ["a missing required variable", () => query(`query($id: ID!) { model(id: $id) { id } }`)],
      [
        "a float as an ID variable",
        () => query(`query($t: ID) { models(teamId: $t) { edges { node { createdAt } } } }`, { t: 5.5 }),
      ],
      [
        "an operationName not in the document",
        () => post(JSON.stringify({ query: `query A { me { id } }`, operationName: "B" })),
      ],
      ["a request without a query", () => post(JSON.stringify({ variables: {} }))],
      [
        "a mutation sent with GET",
        () =>
          fetch(
            `${api.url}/graphql?query=${encodeURIComponent('mutation { createTeam(input: {name: "x", slug: "x"}) { id } }')}`,
            { headers: { "apollo-require-preflight": "1" } },
          ).then(async (res) => ({ status: res.status, json: (await res.json()) as GqlBody })),
      ],
    ];

    it.each(bad)("%s answers 4xx with a contract code", async (_what, send) => {
      const r = await send();
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json?.errors?.length).toBeGreaterThan(0);
      for (const e of r.json!.errors!) {
        expect(CONTRACT_CODES).toContain(e.extensions?.code);
        expect(e.extensions?.code).toBe("BAD_USER_INPUT");
        expect(e.extensions?.stacktrace).toBeUndefined();
      }
    });

    it("names the field of a bad variable value", async () => {
      const r = await query(`mutation($i: CreateModelInput!) { createModel(input: $i) { id } }`, {
        i: { teamId: "t", name: "n", task: "CLUSTERING" },
      });
      expect(r.json?.errors?.[0]?.message).toContain("i.task");
    });

    it("answers an unexpected internal error with INTERNAL_SERVER_ERROR, a generic message and no detail", async () => {
      await api.db.$executeRawUnsafe(`ALTER TABLE hardware_profiles RENAME TO hardware_profiles_moved`);
      try {
        const r = await query(`{ hardwareProfiles { id } }`);
        expect(r.json?.errors).toHaveLength(1);
        const [error] = r.json!.errors!;
        expect(error!.message).toBe("Internal server error");
        expect(error!.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
        expect(r.text).not.toMatch(/hardware_profiles|prisma|stack|at .*\.ts/i);
      } finally {
        await api.db.$executeRawUnsafe(`ALTER TABLE hardware_profiles_moved RENAME TO hardware_profiles`);
      }
      expect((await query(`{ hardwareProfiles { id } }`)).json?.errors).toBeUndefined();
    });
  });

  describe("metrics", () => {
    it("counts GraphQL operations by name and outcome, their latency, and errors by code", async () => {
      const metrics = async () => (await fetch(`${api.url}/metrics`)).text();
      const forbiddenBefore = sampleValue(await metrics(), "costgate_graphql_errors_total", { code: "FORBIDDEN" }) ?? 0;
      const createTeamErrorsBefore =
        sampleValue(await metrics(), "costgate_graphql_requests_total", {
          operation: "createTeam",
          outcome: "error",
        }) ?? 0;

      for (let i = 0; i < 3; i++)
        expect((await query(`query MetricsProbe { apiKeys { id } }`)).json?.errors).toBeUndefined();
      for (let i = 0; i < 2; i++) expect((await query(`{ teams { id } }`)).json?.errors).toBeUndefined();
      const viewer = await api.userToken("VIEWER", await api.createTeam());
      const forbidden = await api.gql(
        `mutation ForbiddenProbe { createTeam(input: { name: "x", slug: "metrics-x" }) { id } }`,
        {},
        viewer.token,
      );
      expect(forbidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      await fetch(`${api.url}/healthz`);

      const res = await fetch(`${api.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      const text = await res.text();
      // Operations are labelled by their root field (the schema bounds them), whatever name the client gave.
      expect(sampleValue(text, "costgate_graphql_requests_total", { operation: "apiKeys", outcome: "ok" })).toBe(3);
      expect(
        sampleValue(text, "costgate_graphql_requests_total", { operation: "apiKeys", outcome: "error" }),
      ).toBeUndefined();
      expect(sampleValue(text, "costgate_graphql_request_duration_seconds_count", { operation: "apiKeys" })).toBe(3);
      expect(
        sampleValue(text, "costgate_graphql_request_duration_seconds_bucket", { operation: "apiKeys", le: "+Inf" }),
      ).toBe(3);
      expect(
        sampleValue(text, "costgate_graphql_request_duration_seconds_sum", { operation: "apiKeys" }),
      ).toBeGreaterThan(0);
      expect(sampleValue(text, "costgate_graphql_requests_total", { operation: "teams", outcome: "ok" })).toBe(2);
      expect(sampleValue(text, "costgate_graphql_requests_total", { operation: "createTeam", outcome: "error" })).toBe(
        createTeamErrorsBefore + 1,
      );
      expect(sampleValue(text, "costgate_graphql_errors_total", { code: "FORBIDDEN" })).toBe(forbiddenBefore + 1);
      expect(
        sampleValue(text, "costgate_http_requests_total", { route: "/healthz", status: "200" }),
      ).toBeGreaterThanOrEqual(1);
      // Latency of every HTTP request, GraphQL included, by route and status class.
      expect(
        sampleValue(text, "costgate_http_request_duration_seconds_count", { route: "/graphql", status_class: "2xx" }),
      ).toBeGreaterThanOrEqual(6);
      expect(
        sampleValue(text, "costgate_http_request_duration_seconds_count", { route: "/healthz", status_class: "2xx" }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        sampleValue(text, "costgate_http_request_duration_seconds_bucket", {
          route: "/graphql",
          status_class: "2xx",
          le: "+Inf",
        }),
      ).toBeGreaterThanOrEqual(6);
      // Every error code label is a contract code.
      for (const s of samples(text).filter((x) => x.name === "costgate_graphql_errors_total"))
        expect(CONTRACT_CODES).toContain(s.labels.code);
    });

    it("keeps the series bounded: client-chosen operation names and unknown paths add no new labels", async () => {
      const metrics = async () => samples(await (await fetch(`${api.url}/metrics`)).text());
      const labelsOf = (all: ReturnType<typeof samples>, name: string, label: string) =>
        new Set(all.filter((s) => s.name === name).map((s) => s.labels[label]));
      await query(`query Warmup { me { id } }`);
      const warmup404 = await fetch(`${api.url}/no-such-route-warmup`);
      expect(warmup404.status).toBe(404);
      await post("not json");
      const before = await metrics();
      for (let i = 0; i < 40; i++) {
        await query(`query Random${randomBytes(4).toString("hex")} { me { id } }`);
        await post(JSON.stringify({ query: `query Broken${i} { nope${i} }` }));
        await fetch(`${api.url}/probe-${randomBytes(4).toString("hex")}`);
      }
      const after = await metrics();
      expect(
        after.filter((s) => s.name.startsWith("costgate_graphql_") || s.name.startsWith("costgate_http_request"))
          .length,
      ).toBe(
        before.filter((s) => s.name.startsWith("costgate_graphql_") || s.name.startsWith("costgate_http_request"))
          .length,
      );
      expect(
        [...labelsOf(after, "costgate_graphql_requests_total", "operation")].some((op) =>
          /Random|Broken|nope/.test(op!),
        ),
      ).toBe(false);
      expect(
        [...labelsOf(after, "costgate_http_requests_total", "route")].some((r) => /probe-|no-such-route/.test(r!)),
      ).toBe(false);
      expect(
        [...labelsOf(after, "costgate_http_request_duration_seconds_count", "route")].some((r) =>
          /probe-|no-such-route/.test(r!),
        ),
      ).toBe(false);
    });
  });
});
