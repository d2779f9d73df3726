import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  TestApi,
  connectionRefused,
  startApiProcess,
  startHttpLoad,
  startSlowRequest,
  summarizeLoad,
  until,
  type ApiProcess,
} from "@costgate/testkit";

/**
 * The API as it runs in production (`node --import tsx src/main.ts`, NODE_ENV not "test": Apollo
 * behaves differently under test), stopped with SIGTERM while clients keep sending requests.
 */
let api: TestApi<ApiProcess>;

beforeAll(async () => {
  api = await TestApi.start(startApiProcess, {
    NODE_ENV: "development",
    LOG_LEVEL: "info",
    SHUTDOWN_GRACE_MS: "5000",
    SHUTDOWN_TIMEOUT_MS: "8000",
  });
});
afterAll(() => api?.stop());

it("on SIGTERM under load: finishes requests in flight, refuses new connections, exits 0 within 10 s", async () => {
  const { port } = new URL(api.url);
  const query = (q: string) => ({
    path: "/graphql",
    headers: { "content-type": "application/json", authorization: `Bearer ${api.adminToken}` },
    body: JSON.stringify({ query: q }),
  });
  const load = startHttpLoad({
    url: api.url,
    request: query("{ me { id email } }"),
    keepAliveClients: 6,
    freshClients: 6,
    maxMs: 30_000,
  });
  await until("the load to be served", async () => load.answered() >= 50, 20_000, 20);

  // Requests the API is in the middle of receiving: one on a new connection, one on a kept-alive
  // connection that has already served a request.
  const slow = query("{ me { email } }");
  const fresh = startSlowRequest(api.url, slow);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await startSlowRequest(api.url, query("{ me { id } }"), agent).finish();
  const reused = startSlowRequest(api.url, slow, agent);
  // Once more requests have been answered, the API has read the headers sent before them.
  const mark = load.answered();
  await until("the API to read the slow requests' headers", async () => load.answered() >= mark + 20, 20_000, 10);

  const signalAt = Date.now();
  api.server.process.kill("SIGTERM");
  await connectionRefused("127.0.0.1", Number(port));

  // The listener is closed; requests already in flight still complete, and say the connection ends.
  for (const r of [fresh, reused]) {
    const res = await r.finish();
    expect.soft(res.status).toBe(200);
    expect.soft(JSON.parse(res.body)).toEqual({ data: { me: { email: "admin@test.local" } } });
    expect.soft(res.headers.connection).toBe("close");
  }
  agent.destroy();

  const end = await Promise.race([
    api.server.exited,
    new Promise<"still running">((r) => setTimeout(() => r("still running"), 10_000 - (Date.now() - signalAt))),
  ]);
  const outcomes = await load.stop();
  expect.soft(end, `API output:\n${api.server.output().slice(-3000)}`).toEqual({ code: 0, signal: null });
  expect.soft(Date.now() - signalAt).toBeLessThan(10_000);
  expect.soft(api.server.output()).toMatch(/"msg":"stopped"/);

  const summary = summarizeLoad(outcomes, signalAt);
  expect.soft(summary.answeredBeforeSignal).toBeGreaterThan(50);
  // Every response is a real answer; a kept-alive client is never cut; failures are refusals to connect.
  expect.soft(summary.badStatus).toEqual([]);
  expect.soft(summary.truncated).toEqual([]);
  expect.soft(summary.keepAliveCut).toEqual([]);
  expect.soft(summary.connectionErrors.ECONNREFUSED ?? 0).toBeGreaterThan(0);
});
