import http from "node:http";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { childPids, freePort, until } from "@costgate/testkit";

const harness = fileURLToPath(new URL("./__tests__/primary-harness.ts", import.meta.url));

/** The harness's primary with `processes` stand-in API processes; resolves once they all answer. */
async function startPrimary(worker: "ok" | "early-exit", processes = 2) {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", harness], {
    env: { ...process.env, HARNESS_PORT: String(port), HARNESS_PROCESSES: String(processes), HARNESS_WORKER: worker },
    stdio: "ignore",
  });
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => {
    const started = Date.now();
    child.once("exit", (code) => resolve({ code, ms: Date.now() - started }));
  });
  // A connection of its own each time (a pooled one could lead to a process since killed).
  const answer = () =>
    new Promise<number | null>((resolve) =>
      http
        .get(`http://127.0.0.1:${port}/`, { agent: false }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve(res.statusCode === 200 ? Number(text) : null));
        })
        .on("error", () => resolve(null)),
    );
  const answers = async () => (await answer()) !== null;
  /** Every process has listened: answers (handed out in turn) came from `processes` different ones. */
  const allListening = async () => {
    const seen = new Set<number | null>();
    for (let i = 0; i < processes * 3; i++) seen.add(await answer());
    seen.delete(null);
    return seen.size === processes;
  };
  return { child, exited, answers, allListening };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the primary of a clustered API", () => {
  it("passes SIGTERM on and exits 0 once every process has stopped", async () => {
    const p = await startPrimary("ok");
    try {
      await until("both processes to answer", p.allListening, 30_000, 100);
      const pids = childPids(p.child.pid!, /primary-harness/);
      expect(pids).toHaveLength(2);
      p.child.kill("SIGTERM");
      expect((await p.exited).code).toBe(0);
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      p.child.kill("SIGKILL");
    }
  }, 40_000);

  it("replaces a process that dies after it has listened", async () => {
    const p = await startPrimary("ok", 2);
    try {
      await until("both processes to answer", p.allListening, 30_000, 100);
      const [victim] = childPids(p.child.pid!, /primary-harness/);
      process.kill(victim!, "SIGKILL");
      await until(
        "a replacement",
        async () => {
          const now = childPids(p.child.pid!, /primary-harness/);
          return now.length === 2 && !now.includes(victim!);
        },
        30_000,
        100,
      );
      expect(await p.answers()).toBe(true);
      await until("the new process to answer too", p.allListening, 30_000, 100);
      p.child.kill("SIGTERM");
      expect((await p.exited).code).toBe(0);
    } finally {
      p.child.kill("SIGKILL");
    }
  }, 60_000);

  it("stops with exit code 1 when a process exits before it ever listened (no restart loop)", async () => {
    const p = await startPrimary("early-exit");
    const end = await p.exited;
    expect(end.code).toBe(1);
  }, 40_000);
});
