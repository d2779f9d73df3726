import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, signalUnderLoad, startApiProcess, startSlowRequest, type ApiProcess } from "@costgate/testkit";

/**
 * The API as it runs in production (`node --import tsx src/main.ts`, NODE_ENV not "test": Apollo
 * behaves differently under test), stopped with SIGTERM while clients keep sending requests: one
 * process, and a cluster of two (the primary passes the signal on and exits once both have).
 */
describe.each(["1", "2"])("API_PROCESSES=%s", (processes) => {
  let api: TestApi<ApiProcess>;

  beforeAll(async () => {
    api = await TestApi.start(startApiProcess, {
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      SHUTDOWN_GRACE_MS: "5000",
      SHUTDOWN_TIMEOUT_MS: "8000",
      API_PROCESSES: processes,
    });
  });
  afterAll(() => api?.stop());

  it("on SIGTERM under load: finishes requests in flight, refuses new connections, exits 0 within 10 s", async () => {
    const query = (q: string) => ({
      path: "/graphql",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.adminToken}` },
      body: JSON.stringify({ query: q }),
    });
    // In flight at the signal: a request on a new connection, one on a kept-alive connection that
    // has already served a request.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const slow = query("{ me { email } }");

    const { responses, end, summary } = await signalUnderLoad({
      url: api.url,
      request: query("{ me { id email } }"),
      keepAliveClients: 6,
      freshClients: 6,
      warmup: 50,
      inFlight: async () => {
        await startSlowRequest(api.url, query("{ me { id } }"), agent).finish();
        return [startSlowRequest(api.url, slow), startSlowRequest(api.url, slow, agent)];
      },
      signal: () => api.server.process.kill("SIGTERM"),
      exited: api.server.exited,
      exitWithinMs: 10_000,
    });
    agent.destroy();

    // The listener was closed; the requests in flight completed, and said the connection ends.
    for (const res of responses) {
      expect.soft(res.status).toBe(200);
      expect.soft(JSON.parse(res.body)).toEqual({ data: { me: { email: "admin@test.local" } } });
      expect.soft(res.headers.connection).toBe("close");
    }
    expect.soft(end, `API output:\n${api.server.output().slice(-3000)}`).toEqual({ code: 0, signal: null });
    expect.soft(api.server.output()).toMatch(/"msg":"stopped"/);
    expect.soft(summary.answeredBeforeSignal).toBeGreaterThanOrEqual(25);
    // Every response is a real answer; a kept-alive client is never cut; failures are refusals to connect.
    expect.soft(summary.badStatus).toEqual([]);
    expect.soft(summary.truncated).toEqual([]);
    expect.soft(summary.keepAliveCut).toEqual([]);
    expect.soft(summary.connectionErrors.ECONNREFUSED ?? 0).toBeGreaterThan(0);
  });
});
