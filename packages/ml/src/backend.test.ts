import { afterEach, describe, expect, it } from "vitest";
import { currentBackend, initBackend, isBackendMemoryFailure, tfjsNodeUnavailableReason } from "./backend.ts";
import { MlError } from "./errors.ts";
import { tf } from "./tf.ts";

async function tfjsNodeLoads(): Promise<boolean> {
  const spec = "@tensorflow/tfjs-node";
  try {
    await import(/* @vite-ignore */ spec);
    return true;
  } catch {
    return false;
  }
}

describe("initBackend", () => {
  afterEach(() => {
    delete process.env.COSTGATE_TF_BACKEND;
  });

  it("picks tfjs-node when it loads, else wasm, and is idempotent", async () => {
    const expected = (await tfjsNodeLoads()) ? "tensorflow" : "wasm";
    const first = await initBackend();
    expect(first).toBe(expected);
    expect(tf.getBackend()).toBe(expected);
    expect(await initBackend()).toBe(expected);
    expect(currentBackend()).toBe(expected);
    if (expected === "wasm") expect(tfjsNodeUnavailableReason()).toMatch(/\S/);
    // tensors work right after init
    const t = tf.tensor1d([1, 2, 3]);
    expect(Array.from(t.mul(2).dataSync())).toEqual([2, 4, 6]);
    tf.dispose(t);
  });

  it("concurrent calls agree", async () => {
    const names = await Promise.all([initBackend(), initBackend(), initBackend()]);
    expect(new Set(names).size).toBe(1);
  });

  it("can be forced by option or by COSTGATE_TF_BACKEND, the option winning", async () => {
    expect(await initBackend({ force: "cpu" })).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    process.env.COSTGATE_TF_BACKEND = "wasm";
    expect(await initBackend()).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(await initBackend({ force: "cpu" })).toBe("cpu");
    process.env.COSTGATE_TF_BACKEND = "wasm";
    expect(await initBackend()).toBe("wasm");
  });

  it("refuses an unknown backend name in the env variable or the option", async () => {
    process.env.COSTGATE_TF_BACKEND = "webgpu";
    await expect(initBackend()).rejects.toThrow(/COSTGATE_TF_BACKEND="webgpu".*tensorflow, wasm, cpu/);
    await expect(initBackend()).rejects.toBeInstanceOf(MlError);
    delete process.env.COSTGATE_TF_BACKEND;
    await expect(initBackend({ force: "gpu" as "cpu" })).rejects.toMatchObject({ code: "BAD_PARAM" });
  });

  it("says why when forcing tfjs-node where it is not installed", async () => {
    if (await tfjsNodeLoads()) {
      expect(await initBackend({ force: "tensorflow" })).toBe("tensorflow");
      return;
    }
    await expect(initBackend({ force: "tensorflow" })).rejects.toMatchObject({
      code: "BACKEND_UNAVAILABLE",
      message: expect.stringMatching(/"tensorflow" could not be started: .+/),
    });
    // the failed attempt leaves a working backend behind
    expect(await initBackend({ force: "wasm" })).toBe("wasm");
  });
});

describe("backend memory failures", () => {
  it("tells an exhausted or broken heap from a problem of the model", () => {
    expect(isBackendMemoryFailure("model.json could not be loaded as a LayersModel: memory access out of bounds")).toBe(
      true,
    );
    expect(isBackendMemoryFailure("Aborted(OOM)")).toBe(true);
    expect(isBackendMemoryFailure("RangeError: Array buffer allocation failed")).toBe(true);
    expect(isBackendMemoryFailure("model.json could not be loaded as a LayersModel: Unknown layer: Foo")).toBe(false);
  });
});
