import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createRedis } from "@costgate/queue";
import { MachineLock } from "../machine-lock.ts";

/**
 * The machine's measurement lock on the real Redis. Each MachineLock here has its own
 * connection, as separate worker processes on one host would.
 */
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const connections = Array.from({ length: 3 }, () => createRedis(url));
const base = `costgate-test-${randomBytes(4).toString("hex")}:machine:host-a`;
const lock = (i: number, opts = {}) => new MachineLock(connections[i]!, base, { pollMs: 20, ...opts });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await connections[0]!.del(`${base}:measure`, `${base}:compute`);
  await Promise.all(connections.map((c) => c.quit()));
});

describe("MachineLock", () => {
  it("never runs two measurements at once, and says why the second waits", async () => {
    const spans: [number, number][] = [];
    const waits: string[] = [];
    const measure = (i: number) =>
      lock(i).exclusive(
        (why) => waits.push(why),
        async () => {
          const start = Date.now();
          await sleep(300);
          spans.push([start, Date.now()]);
        },
      );
    await Promise.all([measure(0), measure(1), measure(2)]);
    spans.sort((a, b) => a[0] - b[0]);
    expect(spans).toHaveLength(3);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(waits).toContain("Waiting: another cost measurement is running on this machine");
  });

  it("reports how long each measurement waited for the machine", async () => {
    const waited: [string, number][] = [];
    const onWaited = (kind: string, seconds: number) => waited.push([kind, seconds]);
    const hold = (i: number) =>
      lock(i, { onWaited }).exclusive(
        () => undefined,
        () => sleep(300),
      );
    await Promise.all([hold(0), hold(1)]);
    expect(waited.map(([kind]) => kind)).toEqual(["measurement", "measurement"]);
    const [first, second] = waited.map(([, s]) => s).sort((a, b) => a - b);
    expect(first).toBeLessThan(0.25);
    // The second ran once the first's 300 ms were over.
    expect(second).toBeGreaterThanOrEqual(0.29);
  });

  it("pauses a running computation while a measurement runs, and resumes it after", async () => {
    const events: string[] = [];
    let paused = false;
    let computed = 0;
    const training = lock(0).shared(
      {
        onPreempt: async () => {
          paused = true;
          events.push("paused");
        },
        onResume: () => {
          paused = false;
          events.push("resumed");
        },
        onWait: (why) => events.push(`wait: ${why}`),
      },
      async () => {
        // "batches" that only advance while not paused, like a training at its compute gate
        while (computed < 40) {
          await sleep(10);
          if (!paused) computed++;
        }
        return "trained";
      },
    );
    await sleep(100);
    const measured = lock(1).exclusive(
      (why) => events.push(`measure waits: ${why}`),
      async () => {
        events.push("measuring");
        const before = computed;
        await sleep(250);
        // nothing computed meanwhile
        expect(computed).toBe(before);
        events.push("measured");
      },
    );
    expect(await training).toBe("trained");
    await measured;
    expect(events.indexOf("paused")).toBeGreaterThanOrEqual(0);
    expect(events.indexOf("paused")).toBeLessThan(events.indexOf("measuring"));
    expect(events.indexOf("measured")).toBeLessThan(events.indexOf("resumed"));
    expect(events).toContain(
      "measure waits: Waiting for training and evaluation on this machine to pause for the cost measurement",
    );
  });

  it("keeps a new computation out until the measurement ends", async () => {
    const order: string[] = [];
    const measured = lock(0).exclusive(
      () => undefined,
      async () => {
        order.push("measure start");
        await sleep(200);
        order.push("measure end");
      },
    );
    await sleep(50);
    const waits: string[] = [];
    await lock(1).shared(
      { onPreempt: async () => undefined, onResume: () => undefined, onWait: (w) => waits.push(w) },
      async () => {
        order.push("compute");
      },
    );
    await measured;
    expect(order).toEqual(["measure start", "measure end", "compute"]);
    expect(waits).toEqual(["Paused: a cost measurement is running on this machine"]);
  });

  it("frees the machine after the expiry when the holder died without releasing", async () => {
    const dying = createRedis(url);
    const holder = new MachineLock(dying, base, { ttlMs: 600, pollMs: 20 });
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    // The holder enters, then its connection is cut (the process died): no release, no renewal.
    void holder
      .exclusive(
        () => undefined,
        async () => {
          entered();
          await sleep(60_000);
        },
      )
      .catch(() => undefined);
    await inside;
    dying.disconnect();
    const start = Date.now();
    await lock(1, { ttlMs: 600 }).exclusive(
      () => undefined,
      async () => undefined,
    );
    expect(Date.now() - start).toBeGreaterThan(300);
    expect(Date.now() - start).toBeLessThan(5_000);
  });
});
