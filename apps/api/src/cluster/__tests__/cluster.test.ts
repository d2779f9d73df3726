import http from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestApi, childPids, startApiProcess, until, type ApiProcess } from "@costgate/testkit";

/**
 * API_PROCESSES=3: three API processes behind one port. Every request is answered whichever
 * process takes it, /metrics counts the requests of all of them, and a process that dies is
 * replaced.
 */
let api: TestApi<ApiProcess>;
const primary = () => api.server.process.pid!;
/** API processes that have listened so far (each logs it once). */
const listening = () => api.server.output().split("Costgate API listening on").length - 1;

beforeAll(async () => {
  api = await TestApi.start(startApiProcess, { API_PROCESSES: "3", LOG_LEVEL: "info" });
  await until("three API processes listening", async () => listening() === 3, 60_000, 200);
});
afterAll(() => api?.stop());

/** A request on a connection of its own, so that they spread over the processes. */
function send(path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${api.url}${path}`,
      {
        method: body ? "POST" : "GET",
        agent: false,
        headers: body ? { "content-type": "application/json", authorization: `Bearer ${api.adminToken}` } : {},
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
const me = async () => {
  const { status, text } = await send("/graphql", JSON.stringify({ query: "{ me { email } }" }));
  return { status, body: JSON.parse(text) as unknown };
};
const meCount = async () => {
  const { text } = await send("/metrics");
  const line = text
    .split("\n")
    .find((l) => l.startsWith('costgate_graphql_requests_total{operation="me",outcome="ok"}'));
  return Number(line?.split(" ")[1] ?? 0);
};

it("answers from every process; /metrics adds up all of them, whichever answers", async () => {
  const before = await meCount();
  for (let i = 0; i < 30; i++)
    expect(await me()).toEqual({ status: 200, body: { data: { me: { email: "admin@test.local" } } } });
  // Asked several times (each time a process, in turn): always the cluster's count.
  for (let i = 0; i < 6; i++) expect(await meCount()).toBe(before + 30);
  expect((await send("/readyz")).status).toBe(200);
});

it("a process killed with -9 is replaced, and requests keep being answered", async () => {
  const [victim, ...rest] = childPids(primary(), /src\/main\.ts/);
  process.kill(victim!, "SIGKILL");
  await until(
    "a new API process, listening",
    async () => {
      const now = childPids(primary(), /src\/main\.ts/);
      return now.length === 3 && !now.includes(victim!) && rest.every((p) => now.includes(p)) && listening() === 4;
    },
    60_000,
    200,
  );
  for (let i = 0; i < 10; i++) expect((await me()).status).toBe(200);
}, 90_000);
