import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureReferenceModels } from "@costgate/ml";
import { TfHost, TfProcessDied } from "../tf-host.ts";

/**
 * The worker's TensorFlow process: calls answer, progress arrives, a step can be aborted and
 * paused, the worker's event loop stays free meanwhile, and a child that dies fails its call
 * with a readable message while the next call gets a new child.
 */
let files: { modelJson: string; train: string; evaluation: string };
const host = new TfHost({ name: "test", logger: pino({ level: "silent" }), backend: "wasm" });
const fineTune = (epochs: number) => ({
  kind: "FINE_TUNE" as const,
  params: { epochs, learningRate: 0.01, batchSize: 8 },
});
const stepArgs = (epochs: number) => ({
  step: fineTune(epochs),
  modelJsonPath: files.modelJson,
  task: "classification" as const,
  train: { path: files.train, task: "classification" as const },
  evaluation: null,
  unlabeled: null,
  teacherVersionId: "source-version",
  teacherModelJsonPath: "",
  maxAccuracyDrop: 0.01,
  seed: 1,
});
let unlabeledCsv: string;
/** DISTILL of the reference model towards itself from the train CSV's inputs without their labels. */
const distillArgs = (epochs: number) => ({
  ...stepArgs(1),
  step: { kind: "DISTILL" as const, params: { epochs, learningRate: 0.01, batchSize: 8, temperature: 2 } },
  train: null,
  unlabeled: { path: unlabeledCsv, task: "classification" as const },
  teacherModelJsonPath: files.modelJson,
});

beforeAll(async () => {
  const manifest = await ensureReferenceModels(mkdtempSync(join(tmpdir(), "costgate-tf-host-")), {
    only: ["tabular-mlp"],
  });
  files = manifest.models[0]!.files;
  const lines = readFileSync(files.train, "utf8").trimEnd().split("\n");
  const labelAt = lines[0]!.split(",").indexOf("label");
  unlabeledCsv = join(mkdtempSync(join(tmpdir(), "costgate-unlabeled-")), "unlabeled.csv");
  writeFileSync(
    unlabeledCsv,
    lines
      .map((l) =>
        l
          .split(",")
          .filter((_, i) => i !== labelAt)
          .join(","),
      )
      .join("\n"),
  );
}, 120_000);

afterAll(() => host.close());

describe("TfHost", () => {
  it("evaluates a model in the child and answers its facts and metric", async () => {
    const r = await host.call("evaluate", {
      modelJsonPath: files.modelJson,
      dataset: { path: files.evaluation, task: "classification" },
    });
    expect(r.facts.parameterCount).toBe(40 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    expect(r.evaluation).toMatchObject({ metric: "accuracy", samples: 1000 });
    expect(host.pid).not.toBe(process.pid);
  }, 60_000);

  it("keeps the worker's event loop free while the child trains, and forwards progress", async () => {
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 20);
    const progress: string[] = [];
    const r = await host.call("applyStep", stepArgs(2), { onProgress: (_f, stage) => progress.push(stage) });
    clearInterval(timer);
    expect(r.source).toBe("FINE_TUNE");
    expect(r.cancelled).toBe(false);
    expect(r.artifacts.weightData).toBeDefined();
    expect(progress.some((p) => p.startsWith("fine-tuning: epoch 2/2"))).toBe(true);
    // a timer of the worker kept firing: no gap near the length of the training
    expect(gaps.length).toBeGreaterThan(10);
    expect(Math.max(...gaps)).toBeLessThan(250);
  }, 60_000);

  it("stops a step at its next batch when the call is aborted", async () => {
    const abort = new AbortController();
    const r = await host.call("applyStep", stepArgs(50), {
      signal: abort.signal,
      onProgress: (f) => f > 0.01 && abort.abort(),
    });
    expect(r.cancelled).toBe(true);
  }, 60_000);

  it("ends a fine-tuning and a distillation at their deadline, the recipe saying how far they got", async () => {
    // 50 epochs would take minutes; a deadline 1.5 s away cuts both short, each after its first batches.
    const tuned = await host.call("applyStep", { ...stepArgs(50), deadline: Date.now() + 1500 });
    expect(tuned.cancelled).toBe(false);
    const tunedResult = tuned.recipe.result as { timeUp?: boolean; batchesRun?: number; epochsRun: number };
    expect(tunedResult.timeUp).toBe(true);
    expect(tunedResult.batchesRun).toBeGreaterThan(0);
    expect(tunedResult.epochsRun).toBeLessThan(50);
    const distilled = await host.call("applyStep", { ...distillArgs(50), deadline: Date.now() - 1 });
    expect(distilled.recipe.result).toMatchObject({ timeUp: true, batchesRun: 1, epochs: 0 });
    // a step without a deadline says nothing of one
    const full = await host.call("applyStep", stepArgs(1));
    expect(full.recipe.result).not.toHaveProperty("timeUp");
  }, 60_000);

  it("pauses a training at its compute gate and resumes it", async () => {
    let batches = 0;
    const running = host.call("applyStep", stepArgs(6), { onProgress: () => batches++ });
    while (batches < 3) await new Promise((r) => setTimeout(r, 10));
    await host.pause();
    const atPause = batches;
    await new Promise((r) => setTimeout(r, 400));
    // at most one report in flight when the gate closed
    expect(batches - atPause).toBeLessThanOrEqual(1);
    host.resume();
    const r = await running;
    expect(r.cancelled).toBe(false);
    expect(batches).toBeGreaterThan(atPause + 1);
  }, 60_000);

  it("distills in the child from UNLABELED inputs, reporting progress per batch and recording the recipe", async () => {
    const progress: string[] = [];
    const r = await host.call("applyStep", distillArgs(1), { onProgress: (_f, stage) => progress.push(stage) });
    expect(r.source).toBe("DISTILL");
    expect(r.cancelled).toBe(false);
    expect(r.recipe).toMatchObject({
      kind: "DISTILL",
      params: { epochs: 1, learningRate: 0.01, batchSize: 8, temperature: 2 },
      result: { teacherVersionId: "source-version", temperature: 2, epochs: 1, rows: 4000, inputsFrom: "UNLABELED" },
    });
    expect((r.recipe.result as { finalLoss: number }).finalLoss).toBeGreaterThanOrEqual(0);
    expect(progress).toHaveLength(500);
    expect(progress[499]).toMatch(/^distilling from the source version: epoch 1\/1, batch 500\/500, loss /);
  }, 60_000);

  it("pauses a distillation at its compute gate, and stops it at the next batch when aborted", async () => {
    let batches = 0;
    const abort = new AbortController();
    const running = host.call("applyStep", distillArgs(50), { signal: abort.signal, onProgress: () => batches++ });
    while (batches < 3) await new Promise((r) => setTimeout(r, 10));
    await host.pause();
    const atPause = batches;
    await new Promise((r) => setTimeout(r, 400));
    expect(batches - atPause).toBeLessThanOrEqual(1);
    host.resume();
    while (batches < atPause + 3) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    const r = await running;
    expect(r.cancelled).toBe(true);
    expect(batches).toBeLessThan(50 * 500);
  }, 60_000);

  it("fails the call with a readable message when the child dies, and starts a new child for the next", async () => {
    const running = host.call("applyStep", stepArgs(50));
    const pid = host.pid!;
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, "SIGKILL");
    const error = await running.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TfProcessDied);
    expect((error as Error).message).toMatch(
      /TensorFlow process was killed \(SIGKILL\) while running applyStep: most likely it ran out of memory/,
    );
    const r = await host.call("evaluate", { modelJsonPath: files.modelJson, dataset: null });
    expect(r.facts.parameterCount).toBeGreaterThan(0);
    expect(host.pid).not.toBe(pid);
  }, 60_000);

  it.each(["exit", "wait"] as const)(
    "leaves no TensorFlow process behind when the worker ends mid-training (%s)",
    async (how) => {
      const parent = spawn(
        process.execPath,
        ["--import", "tsx", join(import.meta.dirname, "host-parent.ts"), files.modelJson, files.train, how],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      parent.stdout.on("data", (c: Buffer) => (out += c.toString()));
      while (!out.includes("\n")) await new Promise((r) => setTimeout(r, 20));
      const childPid = Number(out.trim());
      expect(alive(childPid)).toBe(true);
      // "exit": the worker exits by itself (a crash); "wait": it is killed -9, no handler runs.
      if (how === "wait") parent.kill("SIGKILL");
      if (parent.exitCode === null && parent.signalCode === null) await once(parent, "exit");
      const deadline = Date.now() + 10_000;
      while (alive(childPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(alive(childPid)).toBe(false);
    },
    60_000,
  );
});

describe("TfHost memory", () => {
  it("replaces a child that falls idle with a large backend heap, without cutting calls in flight", async () => {
    // Any heap is "large" here: every idle moment replaces the child.
    const recycling = new TfHost({
      name: "recycle",
      logger: pino({ level: "silent" }),
      backend: "wasm",
      recycleBytes: 1,
    });
    try {
      const evaluate = () =>
        recycling.call("evaluate", {
          modelJsonPath: files.modelJson,
          dataset: { path: files.evaluation, task: "classification" },
        });
      // Two calls at once share one child; it is replaced only once both are done.
      const both = Promise.all([evaluate(), evaluate()]);
      const firstPid = recycling.pid!;
      const [a, b] = await both;
      expect(a.evaluation?.samples).toBe(1000);
      expect(b.evaluation?.samples).toBe(1000);
      const deadline = Date.now() + 10_000;
      while (alive(firstPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(alive(firstPid)).toBe(false);
      // The next call runs in a new child.
      const third = evaluate();
      const secondPid = recycling.pid!;
      expect(secondPid).not.toBe(firstPid);
      expect((await third).evaluation?.samples).toBe(1000);
    } finally {
      await recycling.close();
    }
  }, 120_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
