// The dashboard's production server (apps/web/server.mjs) stopped with SIGTERM while browsers
// keep loading pages: a second server process on the stack's build, next to the suite's own.
import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";
import { freePort, signalUnderLoad, startSlowGet, until } from "@costgate/testkit";
import { dashboardServer } from "../support/stack.ts";
import { stackInfo } from "./fixtures.ts";

test("on SIGTERM under load: finishes pages in flight, refuses new connections, exits 0 within 10 s", async () => {
  const { apiUrl } = stackInfo();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = dashboardServer(apiUrl, port);
  const web = spawn(process.execPath, server.args, {
    cwd: server.cwd,
    env: { ...server.env, SHUTDOWN_GRACE_MS: "5000", SHUTDOWN_TIMEOUT_MS: "8000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const s of [web.stdout, web.stderr]) s.on("data", (c: Buffer) => (output += c.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    web.once("exit", (code, signal) => r({ code, signal })),
  );
  try {
    await until(
      "the dashboard to serve /login",
      async () => {
        if (web.exitCode !== null) throw new Error(`server.mjs exited:\n${output}`);
        return fetch(`${url}/login`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000,
      200,
    );

    const { responses, end, summary } = await signalUnderLoad({
      url,
      request: { path: "/login" },
      keepAliveClients: 3,
      freshClients: 3,
      warmup: 20,
      inFlight: () => [startSlowGet(url, "/login")],
      signal: () => web.kill("SIGTERM"),
      exited,
      exitWithinMs: 10_000,
    });
    const [response] = responses;
    expect.soft(response).toMatch(/^HTTP\/1\.1 200/);
    expect.soft(response).toMatch(/^connection: close\r$/im);
    expect.soft(end, `server.mjs output:\n${output.slice(-3000)}`).toEqual({ code: 0, signal: null });
    expect.soft(output).toContain('"msg":"stopped"');
    expect.soft(summary.answeredBeforeSignal).toBeGreaterThanOrEqual(10);
    expect.soft(summary.badStatus).toEqual([]);
    expect.soft(summary.truncated).toEqual([]);
    expect.soft(summary.keepAliveCut).toEqual([]);
  } finally {
    if (web.exitCode === null) web.kill("SIGKILL");
  }
});
