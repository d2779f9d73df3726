import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy, until, type TcpProxy } from "@costgate/testkit";
import { loadApiEnv } from "../../env.ts";
import { createServer, type ApiServer } from "../../server.ts";
import { TestApi } from "../../../test/harness.ts";

/**
 * Verified tokens are trusted for AUTH_CACHE_MS (a minute here, so that staleness would show),
 * yet a logout or a revocation through one API process is refused at once by every other one
 * that had verified the token: two API processes on one database and one Redis, as behind a
 * load balancer.
 */
const ME = `{ me { id } }`;
let a: TestApi;
let b: { url: string; server: ApiServer };
const extra: { url: string; server: ApiServer }[] = [];

async function anotherApi(overrides: Record<string, string> = {}) {
  const server = await createServer(loadApiEnv({ ...a.env, ...overrides }));
  const api = { url: await server.listen(0, "127.0.0.1"), server };
  extra.push(api);
  return api;
}
const meOn = async (url: string, token: string) => {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: ME }),
  });
  const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
  return body.errors?.[0]?.extensions?.code ?? "OK";
};
/** Waits until the API refuses the token; returns how long that took. */
const refusedWithin = async (url: string, token: string) => {
  const start = Date.now();
  await until("the token to be refused", async () => (await meOn(url, token)) === "UNAUTHENTICATED", 5_000, 10);
  return Date.now() - start;
};
/**
 * Waits until the API at `url` caches tokens (its revocation subscription is up: a fresh process,
 * or one whose Redis came back): a token verified once, then revoked in SQL (no message), is
 * still served.
 */
const cacheActive = (url: string, api: TestApi = a) =>
  until(
    "the auth cache to listen for revocations",
    async () => {
      const probe = await api.userToken("VIEWER", null);
      await meOn(url, probe.token);
      await api.db.session.updateMany({ where: { userId: probe.id }, data: { revokedAt: new Date() } });
      return (await meOn(url, probe.token)) === "OK";
    },
    10_000,
    100,
  );

beforeAll(async () => {
  a = await TestApi.start({ AUTH_CACHE_MS: "60000" });
  b = await anotherApi();
  await cacheActive(b.url);
});
afterAll(async () => {
  for (const e of extra) await e.server.close();
  await a?.stop();
});

describe("revocation with cached tokens", () => {
  it("serves a verified token from the cache (a session ended behind the API's back is still served)", async () => {
    const user = await a.userToken("VIEWER", null);
    expect(await meOn(b.url, user.token)).toBe("OK");
    await a.db.session.updateMany({ where: { userId: user.id }, data: { revokedAt: new Date() } });
    expect(await meOn(b.url, user.token)).toBe("OK");
    // Any revocation through an API empties every cache: then it is refused too.
    const other = await a.userToken("VIEWER", null);
    await a.ok(`mutation { logout }`, {}, other.token);
    expect(await refusedWithin(b.url, user.token)).toBeLessThan(2_000);
  });

  it("a logout through one API is refused at once by another that had verified the token", async () => {
    const user = await a.userToken("VIEWER", null);
    expect(await meOn(b.url, user.token)).toBe("OK");
    expect(await meOn(a.url, user.token)).toBe("OK");
    await a.ok(`mutation { logout }`, {}, user.token);
    expect(await meOn(a.url, user.token)).toBe("UNAUTHENTICATED");
    expect(await refusedWithin(b.url, user.token)).toBeLessThan(2_000);
  });

  it("revokeUserSessions and changePassword end the sessions in every API", async () => {
    const user = await a.userToken("VIEWER", null);
    expect(await meOn(b.url, user.token)).toBe("OK");
    await a.ok(`mutation($u:ID!){ revokeUserSessions(userId:$u) }`, { u: user.id });
    expect(await refusedWithin(b.url, user.token)).toBeLessThan(2_000);

    const kept = await a.userToken("VIEWER", null);
    const second = await a.login(kept.email, "user-password-123");
    expect(await meOn(b.url, second)).toBe("OK");
    await a.ok(
      `mutation($c:String!,$n:String!){ changePassword(currentPassword:$c, newPassword:$n) }`,
      { c: "user-password-123", n: "a-new-password-456" },
      kept.token,
    );
    expect(await refusedWithin(b.url, second)).toBeLessThan(2_000);
    expect(await meOn(b.url, kept.token)).toBe("OK");
  });

  it("a revoked API key, and the keys it created, are refused at once by another API", async () => {
    const teamId = await a.createTeam();
    const create = `mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret apiKey { id } } }`;
    const parent = (
      await a.ok<{ createApiKey: { secret: string; apiKey: { id: string } } }>(create, {
        i: { name: "parent", role: "ML_ENGINEER", teamId },
      })
    ).createApiKey;
    const child = (
      await a.ok<{ createApiKey: { secret: string } }>(
        create,
        { i: { name: "child", role: "VIEWER", teamId } },
        parent.secret,
      )
    ).createApiKey;
    expect(await meOn(b.url, parent.secret)).toBe("OK");
    expect(await meOn(b.url, child.secret)).toBe("OK");
    await a.ok(`mutation($id:ID!){ revokeApiKey(id:$id){ id } }`, { id: parent.apiKey.id });
    expect(await refusedWithin(b.url, parent.secret)).toBeLessThan(2_000);
    expect(await meOn(b.url, child.secret)).toBe("UNAUTHENTICATED");
  });
});

describe("what the cache saves", () => {
  it("a client's next requests read no session or user row (with AUTH_CACHE_MS=0, each reads both)", async () => {
    const counts: Record<string, number> = {};
    for (const ttl of ["0", "60000"]) {
      let statements = 0;
      const counted = await TestApi.start({ AUTH_CACHE_MS: ttl }, { onQuery: () => statements++ });
      try {
        const user = await counted.userToken("VIEWER", null);
        await cacheActiveOn(counted, ttl);
        await meOn(counted.url, user.token);
        statements = 0;
        const res = await fetch(`${counted.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
          body: JSON.stringify({ query: "{ __typename }" }),
        });
        expect(res.status).toBe(200);
        counts[ttl] = statements;
      } finally {
        await counted.stop();
      }
    }
    expect(counts).toEqual({ "0": 2, "60000": 0 });
  });
});

/** A fresh API's cache is on once its subscription is up: wait for it (when it has one). */
async function cacheActiveOn(api: TestApi, ttl: string) {
  if (ttl !== "0") await cacheActive(api.url, api);
}

describe("without its Redis, an API trusts no cached token", () => {
  let proxy: TcpProxy;
  let c: { url: string; server: ApiServer };
  beforeAll(async () => {
    const redis = new URL(a.env.REDIS_URL);
    proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
    c = await anotherApi({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    await cacheActive(c.url);
  });

  it("while Redis is away a session ended elsewhere is refused at once, and still after Redis is back", async () => {
    const user = await a.userToken("VIEWER", null);
    expect(await meOn(c.url, user.token)).toBe("OK");
    await proxy.cut();
    // Ended where C cannot hear of it (its revocation channel is down): refused as soon as C has
    // seen its connection close (at once here; after a silent network cut, within AUTH_CACHE_MS).
    await a.db.session.updateMany({ where: { userId: user.id }, data: { revokedAt: new Date() } });
    expect(await refusedWithin(c.url, user.token)).toBeLessThan(1_000);
    await proxy.restore();
    await cacheActive(c.url);
    expect(await meOn(c.url, user.token)).toBe("UNAUTHENTICATED");
  }, 30_000);
});
