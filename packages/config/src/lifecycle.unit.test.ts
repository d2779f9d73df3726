import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * stopOnSignals in a real process sent a real SIGTERM: the exit code and the log lines are what an
 * operator (or a supervisor) sees.
 */
const lifecycle = fileURLToPath(new URL("./lifecycle.mjs", import.meta.url));

/** Runs `body` (a module that has imported stopOnSignals and a JSON-line `logger`), SIGTERMs it once it prints READY. */
async function stopProcess(body: string): Promise<{ code: number | null; ms: number; lines: string[] }> {
  const source = `
    import net from "node:net";
    import { stopOnSignals } from ${JSON.stringify(lifecycle)};
    const logger = {
      info: (o, msg) => console.log(JSON.stringify({ ...o, msg })),
      error: (o, msg) => console.log(JSON.stringify({ ...o, msg })),
    };
    ${body}`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", source], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  for (let waited = 0; !out.includes("READY"); waited += 10) {
    if (waited > 10_000 || child.exitCode !== null) throw new Error(`the process did not get ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const sent = Date.now();
  child.kill("SIGTERM");
  const code = await exited;
  return {
    code,
    ms: Date.now() - sent,
    lines: out.split("\n").filter((l) => l.startsWith("{")),
  };
}

describe("stopOnSignals", () => {
  it("exits 0 by itself once stop() has closed everything", async () => {
    const r = await stopProcess(`
      const server = net.createServer().listen(0, "127.0.0.1", () => console.log("READY"));
      stopOnSignals({ logger, timeoutMs: 5000, stop: () => new Promise((resolve) => server.close(() => resolve())) });`);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(2_000);
    expect(r.lines.map((l) => JSON.parse(l).msg)).toEqual(["shutting down", "stopped"]);
  });

  it("past the deadline, names what stop() left open and exits 1", async () => {
    const r = await stopProcess(`
      const forgotten = net.createServer().listen(0, "127.0.0.1", () => {
        console.log(JSON.stringify({ port: forgotten.address().port }));
        console.log("READY");
      });
      stopOnSignals({ logger, timeoutMs: 500, stop: async () => {} });`);
    expect(r.code).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(450);
    expect(r.ms).toBeLessThan(3_000);
    const { port } = JSON.parse(r.lines[0]!) as { port: number };
    const report = JSON.parse(r.lines.at(-1)!) as { msg: string; open: string[] };
    expect(report.msg).toMatch(/did not finish within 500 ms/);
    expect(report.open).toContain(`server listening on 127.0.0.1:${port}`);
  });

  it("exits 1 at the deadline when stop() never finishes, even with nothing else open", async () => {
    const r = await stopProcess(`
      stopOnSignals({ logger, timeoutMs: 500, stop: () => new Promise(() => {}) });
      // Something open until the signal, as a server would be.
      const keepAlive = setInterval(() => {}, 1000);
      process.once("SIGTERM", () => clearInterval(keepAlive));
      console.log("READY");`);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.lines.at(-1)!).msg).toMatch(/did not finish within 500 ms/);
  });

  it("exits 1 naming the error when stop() fails", async () => {
    const r = await stopProcess(`
      const server = net.createServer().listen(0, "127.0.0.1", () => console.log("READY"));
      stopOnSignals({ logger, timeoutMs: 5000, stop: async () => { server.close(); throw new Error("queue close failed"); } });`);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(2_000);
    expect(JSON.parse(r.lines.at(-1)!).msg).toBe("error during shutdown");
  });
});
