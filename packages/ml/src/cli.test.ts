import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { writeCsvDataset } from "./dataset.ts";
import { denseSequential, randomizeWeights } from "./fixtures/small-models.ts";
import { saveModel } from "./model-io.ts";
import { createRandom } from "./random.ts";

const BIN = fileURLToPath(new URL("../bin/costgate-ml.mjs", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let model: string;
let csv: string;

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(join(tmpdir(), "costgate-cli-"));
  const m = denseSequential();
  randomizeWeights(m, 51);
  model = (await saveModel(m, join(dir, "model"))).modelJsonPath;
  m.dispose();
  const rnd = createRandom(52);
  const rows = 120;
  const xs = new Float32Array(rows * 6).map(() => rnd.normal());
  const labels = Array.from({ length: rows }, (_, r) => (xs[r * 6]! > 0.3 ? 2 : xs[r * 6]! > -0.3 ? 1 : 0));
  csv = join(dir, "data.csv");
  await writeCsvDataset(csv, xs, labels, { featureCount: 6 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("costgate-ml (spawned)", () => {
  it("prints help for the tool and for each command, exit 0", async () => {
    const main = await cli("--help");
    expect(main.code).toBe(0);
    for (const c of ["inspect", "evaluate", "benchmark", "prune", "finetune", "quantize"])
      expect(main.stdout).toContain(c);
    const prune = await cli("prune", "--help");
    expect(prune.code).toBe(0);
    expect(prune.stdout).toMatch(/--method <m>\s+structured \(default\)/);
    expect(prune.stdout).toContain("--sparsity");
  });

  it("rejects bad usage with exit 2 and says what was wrong", async () => {
    const [none, unknown, flag, value, missing] = await Promise.all([
      cli(),
      cli("shrink", model),
      cli("inspect", model, "--colour"),
      cli("prune", model, "--out", join(dir, "x"), "--sparsity", "1.5"),
      cli("evaluate", model),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: costgate-ml <command>");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "shrink"');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--colour'");
    expect(value.code).toBe(2);
    expect(value.stderr).toContain('--sparsity must be < 1 (got "1.5")');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--data is required");
  });

  it("fails with exit 1 and a clear message when the model file is missing", async () => {
    const r = await cli("inspect", join(dir, "nope", "model.json"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no model file at .*nope\/model\.json \[MODEL_FILE_MISSING\]/);
  });

  it("inspects a model as a table and as JSON", async () => {
    const [table, json] = await Promise.all([cli("inspect", model), cli("inspect", model, "--json")]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/hidden1\s+Dense\s+\[null,8\]\s+56\s+48/);
    const parsed = JSON.parse(json.stdout) as { parameterCount: number; macs: number };
    expect(parsed).toMatchObject({ parameterCount: 56 + 72 + 27, macs: 48 + 64 + 24 });
  });

  it("prunes, fine-tunes, quantizes and evaluates a saved model end to end", async () => {
    const pruned = join(dir, "pruned");
    const p = await cli("prune", model, "--method", "structured", "--sparsity", "0.5", "--out", pruned, "--json");
    expect(p.code, p.stderr).toBe(0);
    const recipe = (JSON.parse(p.stdout) as { recipe: { layers: { name: string; after: number }[] } }).recipe;
    expect(recipe.layers).toEqual([
      expect.objectContaining({ name: "hidden1", after: 4 }),
      expect.objectContaining({ name: "hidden2", after: 4 }),
    ]);

    const tuned = join(dir, "tuned");
    const f = await cli(
      "finetune",
      join(pruned, "model.json"),
      "--data",
      csv,
      "--task",
      "classification",
      "--epochs",
      "2",
      "--lr",
      "0.05",
      "--out",
      tuned,
      "--json",
    );
    expect(f.code, f.stderr).toBe(0);
    expect((JSON.parse(f.stdout) as { epochsRun: number }).epochsRun).toBe(2);

    const quant = join(dir, "quant");
    const q = await cli("quantize", join(tuned, "model.json"), "--dtype", "uint8", "--out", quant);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/4\.00× smaller/);
    const manifest = JSON.parse(await readFile(join(quant, "model.json"), "utf8")) as {
      weightsManifest: { weights: { quantization?: { dtype: string } }[] }[];
    };
    expect(manifest.weightsManifest[0]?.weights.every((w) => w.quantization?.dtype === "uint8")).toBe(true);

    const e = await cli("evaluate", join(quant, "model.json"), "--data", csv, "--json");
    expect(e.code, e.stderr).toBe(0);
    const ev = JSON.parse(e.stdout) as { task: string; metric: string; samples: number; value: number };
    expect(ev).toMatchObject({ task: "classification", metric: "accuracy", samples: 120 });
    // Four CLI processes in a row, each starting tsx and TensorFlow.js: a guard against a hang, not a speed target.
  }, 120_000);
});
