// Writes the "## SEARCH on the reference fleet" section of docs/BENCHMARKS.md (issue #17's done-when).
//
//   npm run bench:search -w @costgate/e2e                           10-minute budget per model, the whole fleet
//   npm run bench:search -w @costgate/e2e -- --minutes 3 --only digits-cnn,iris-mlp
//
// Against the real stack (API and one worker process, PostgreSQL, Redis), through the API: each
// reference model is registered with its TRAIN and EVALUATION sets (MobileNetV2: the image zips),
// then one SEARCH policy (time budget, recovery auto, dtypes float16 and uint8, guardrail 1 point
// of accuracy or 1% relative mse) runs on its version 1, one model after another. Reported per
// model: trials, the job's wall time against its budget, the best version's measured $/1M against
// the source's (the cut), its metric against the source's, and what the job said.
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureReferenceModels } from "@costgate/ml";
import { startBenchStack } from "./bench-stack.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";

const HEADING = "## SEARCH on the reference fleet (apps/worker)";
const FLEET = ["linear-regression", "tabular-mlp", "digits-cnn", "iris-mlp", "mobilenet-v2"] as const;
type ModelName = (typeof FLEET)[number];
const REGRESSION = new Set<string>(["linear-regression"]);

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    only: { type: "string" },
    drop: { type: "string", default: "0.01" },
  },
});
const minutes = Number(args.minutes);
const maxAccuracyDrop = Number(args.drop);
const models = (args.only?.split(",") ?? [...FLEET]) as ModelName[];
const log = (line: string) => console.log(`[bench:search ${new Date().toISOString().slice(11, 19)}] ${line}`);
const logDir = join(tmpdir(), `costgate-bench-search-${Date.now()}`);

log(`reference models: ${models.join(", ")} (generating what is missing)`);
const manifest = await ensureReferenceModels(undefined, { only: models });
const bench = await startBenchStack({ logDir, log });

async function register(name: ModelName) {
  const entry = manifest.models.find((m) => m.name === name)!;
  const task = REGRESSION.has(name) ? "REGRESSION" : "CLASSIFICATION";
  const modelId = await bench.createModel(name, task, entry.classNames);
  if (entry.images) {
    // Image datasets are decoded at the input size of the model's version: the version comes first.
    const versionId = await bench.registerVersion(modelId, entry.files.modelJson);
    await bench.registerDataset(modelId, "TRAIN", entry.images.train, { scale: "ZERO_ONE" });
    await bench.registerDataset(modelId, "EVALUATION", entry.images.evaluation, { scale: "ZERO_ONE" });
    return { modelId, versionId, v: await bench.ready(`${name} v1 evaluated`, versionId, (v) => v.evaluation) };
  }
  await bench.registerDataset(modelId, "TRAIN", entry.files.train);
  await bench.registerDataset(modelId, "EVALUATION", entry.files.evaluation);
  const versionId = await bench.registerVersion(modelId, entry.files.modelJson);
  return { modelId, versionId, v: await bench.ready(`${name} v1`, versionId) };
}

interface Row {
  name: string;
  trials: number;
  wallMinutes: number;
  sourceCost: number;
  best: {
    number: number;
    cost: number;
    metric: number;
    recipe: string;
    /** The job's own saving against the source: the paired comparisons along the chain, composed. */
    pairedCut: number | null;
  } | null;
  bestEffort: string | null;
  sourceMetric: number;
  metric: string;
  stage: string;
  stoppedBecause: string;
  load: number;
}

const recipeText = (r: any): string =>
  r?.kind === "PRUNE"
    ? `structured ${Math.round(r.params.sparsity * 100)}%`
    : r?.kind === "QUANTIZE"
      ? `${r.params.dtype}`
      : (r?.kind?.toLowerCase() ?? "?");

async function search(name: ModelName): Promise<Row> {
  const model = await register(name);
  const jobId = await bench.runPolicy(
    model,
    `search ${name}`,
    [{ kind: "SEARCH", params: { timeBudgetMinutes: minutes, recovery: "auto", dtypes: ["float16", "uint8"] } }],
    maxAccuracyDrop,
  );
  let lastStage = "";
  const job = await bench.finished(jobId, (minutes * 1.5 + 30) * 60_000, (j) => {
    if (j.stage !== lastStage) log(`${name}: ${(lastStage = j.stage)}`);
  });
  const full = await bench.job(
    jobId,
    `status stage startedAt finishedAt result candidates { id number parent { id } recipe costs { costPerMillionUsd } evaluation { value metric } }
     bestVersion { id number costs { costPerMillionUsd } evaluation { value } parent { id } recipe }
     bestEffortVersion { id number }`,
  );
  const chain = (id: string): string => {
    const steps: string[] = [];
    let cur = full.candidates.find((c: any) => c.id === id);
    while (cur) {
      steps.unshift(recipeText(cur.recipe));
      cur = full.candidates.find((c: any) => c.id === cur.parent?.id);
    }
    return steps.join(" → ");
  };
  const b = full.bestVersion;
  return {
    name,
    trials: full.result?.search?.trials ?? NaN,
    wallMinutes: (Date.parse(full.finishedAt) - Date.parse(full.startedAt)) / 60_000,
    sourceCost: Number(model.v.costs[0].costPerMillionUsd),
    best: b
      ? {
          number: b.number,
          cost: Number(b.costs[0].costPerMillionUsd),
          metric: b.evaluation.value,
          recipe: chain(b.id),
          pairedCut: full.result?.steps?.find((s: any) => s.versionId === b.id)?.savingVsSource?.relative ?? null,
        }
      : null,
    bestEffort: full.bestEffortVersion ? `version ${full.bestEffortVersion.number}` : null,
    sourceMetric: model.v.evaluation.value,
    metric: model.v.evaluation.metric,
    stage: job.stage,
    stoppedBecause: full.result?.search?.stoppedBecause ?? "",
    load: loadavg()[0]!,
  };
}

const t0 = Date.now();
const rows: Row[] = [];
try {
  bench.startWorker();
  for (const name of models) {
    rows.push(await search(name));
    const r = rows.at(-1)!;
    log(
      `${name}: ${r.trials} trials in ${r.wallMinutes.toFixed(2)} min; best ${r.best ? `$${r.best.cost} vs $${r.sourceCost}` : "none"}`,
    );
  }
} finally {
  await bench.stop();
}

const cut = (r: Row) => (r.best ? 1 - r.best.cost / r.sourceCost : 0);
const pairedCut = (r: Row) => r.best?.pairedCut ?? 0;
const change = (r: Row) => {
  if (!r.best) return "—";
  if (r.metric === "mse") return `${(((r.best.metric - r.sourceMetric) / r.sourceMetric) * 100).toFixed(2)}% mse`;
  const d = (r.best.metric - r.sourceMetric) * 100;
  return `${d >= 0 ? "+" : "−"}${Math.abs(d).toFixed(1)} points`;
};
// A model has something to cut unless its job found that no step saves a measurable cost; a model
// whose search ended without a candidate within the guardrail counts with a cut of 0.
const nothingSaves = (r: Row) => !r.best && /no candidate saves measurable cost/.test(r.stage);
const withCut = rows.filter((r) => !nothingSaves(r));
function medianOf(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return 0;
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}
const median = medianOf(withCut.map(cut));
const pairedMedian = medianOf(withCut.map(pairedCut));
const overBudget = rows.filter((r) => r.wallMinutes > minutes * 1.1);
const table = rows
  .map(
    (r) =>
      `| ${r.name} | ${r.trials} | ${r.wallMinutes.toFixed(2)} (${((r.wallMinutes / minutes) * 100).toFixed(0)}%) | ${r.sourceCost} | ${r.best ? `v${r.best.number}: ${r.best.recipe}` : r.bestEffort ? `none (best effort ${r.bestEffort})` : "none"} | ${r.best ? r.best.cost : "—"} | ${r.best ? `${(cut(r) * 100).toFixed(1)}%` : "—"} | ${r.best?.pairedCut != null ? `${(r.best.pairedCut * 100).toFixed(1)}%` : "—"} | ${change(r)} | ${r.load.toFixed(1)} |`,
  )
  .join("\n");
const said = rows
  .map(
    (r) =>
      `- ${r.name}: “${r.stage}”${r.stoppedBecause ? ` (stopped: ${r.stoppedBecause.replace(/^stopped: /, "")})` : ""}`,
  )
  .join("\n");

writeBenchmarkSection(
  HEADING,
  `${HEADING}

Command: \`npm run bench:search -w @costgate/e2e${minutes !== 10 ? ` -- --minutes ${minutes}` : ""}\` (${((Date.now() - t0) / 60_000).toFixed(0)} min, ${new Date().toISOString().slice(0, 16)}Z); tfjs ${process.env.COSTGATE_TF_BACKEND ?? "wasm"}, the worker's default measurement settings, profile c7i.large.
Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}); load average (1 min) at the end of each search in the table.

One SEARCH policy per reference model (time budget ${minutes} min, recovery auto = fine-tune on its TRAIN set, dtypes float16 and uint8,
guardrail ${maxAccuracyDrop * 100} point of accuracy or ${maxAccuracyDrop * 100}% relative mse), run on version 1 through the API, one model after another, one worker.
The cut is 1 − (best version's measured $/1M ÷ the source's, each as stored); the paired cut is the saving the job itself reports:
the paired comparisons along the best version's chain, composed (a step whose comparison is not significant counts as no change).
"Best" is the job's bestVersion (cheapest within the guardrail, saving beyond the noise).

| Model | Trials | Wall time, min (of budget) | Source $/1M | Best | Best $/1M | Cut | Paired cut | Metric vs source | Load |
| ----- | -----: | -------------------------: | ----------: | ---- | --------: | --: | ---------: | ---------------: | ---: |
${table}

Median cut among the models with something to cut (${withCut.map((r) => r.name).join(", ") || "none"}): **${(median * 100).toFixed(1)}%** by stored $/1M,
**${(pairedMedian * 100).toFixed(1)}%** paired (target ≥ 40% within the guardrail: ${median >= 0.4 && pairedMedian >= 0.4 ? "met by both" : "NOT met by both"}).
Every search within its budget + 10%: **${overBudget.length === 0 ? "yes" : `no: ${overBudget.map((r) => r.name).join(", ")}`}**.
What each job said:
${said}
`,
);
log(`wrote "${HEADING}" in docs/BENCHMARKS.md`);
