// Writes the "## Cost measurement: ..." sections of docs/BENCHMARKS.md.
//
//   npm run bench:measure -w @costgate/e2e                        every part (over an hour with MobileNetV2 at 224x224)
//   npm run bench:measure -w @costgate/e2e -- --part repro        one part: repro, significance or policy (comma-separated)
//   npm run bench:measure -w @costgate/e2e -- --quick             a smoke run: short spacing, MobileNetV2-small
//
// Against the real stack (API and worker processes, PostgreSQL, Redis) with the worker's default
// measurement settings, through the API as an internal tool would:
// 1. reproducibility: each model re-measured N times (remeasureModelVersion, one job each) over at
//    least 10 minutes, while another job fine-tunes a model on the same machine, then N times on a
//    quiet machine: max/min of $/1M;
// 2. significance: uint8, float16 and an unchanged-shape fine-tune of every reference model, and a
//    structured 50% pruning of the digits CNN, each compared with its input;
// 3. a full policy (structured prune -> fine-tune -> accuracy-aware uint8) on the MobileNetV2-size
//    model: lock errors in the worker log and versions per step, then again with the worker
//    killed (-9) in the middle of a step.
import { readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { cpuProbeMs, ensureReferenceModels } from "@costgate/ml";
import { startBenchStack, sleep, until } from "./bench-stack.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";

const REPRO = "## Cost measurement: reproducibility (apps/worker)";
const SIGNIFICANCE = "## Cost measurement: significance of each step (apps/worker)";
const POLICY = "## Cost measurement: a full policy on MobileNetV2 (apps/worker)";
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const REMEASURES = quick ? 2 : 5;
const SPACING_MS = quick ? 5_000 : 150_000;
const LARGE = quick ? "mobilenet-v2-small" : "mobilenet-v2";
const FLEET = ["linear-regression", "tabular-mlp", "digits-cnn", "iris-mlp", LARGE] as const;
type ModelName = (typeof FLEET)[number];
const TASK: Record<string, "CLASSIFICATION" | "REGRESSION"> = { "linear-regression": "REGRESSION" };

const log = (line: string) => console.log(`[bench:measure ${new Date().toISOString().slice(11, 19)}] ${line}`);
const logDir = join(tmpdir(), `costgate-bench-measure-${Date.now()}`);

log(`reference models: ${FLEET.join(", ")} (generating what is missing)`);
const manifest = await ensureReferenceModels(undefined, { only: [...FLEET] });
const files = (name: ModelName) => manifest.models.find((m) => m.name === name)!.files;

const bench = await startBenchStack({ logDir, log });
const { workerLog, startWorker, runPolicy, job, finished, version, gql } = bench;

async function registerModel(name: ModelName) {
  const f = files(name);
  const modelId = await bench.createModel(name, TASK[name] ?? "CLASSIFICATION");
  await bench.registerDataset(modelId, "TRAIN", f.train);
  await bench.registerDataset(modelId, "EVALUATION", f.evaluation);
  const versionId = await bench.registerVersion(modelId, f.modelJson);
  const v = await bench.ready(`${name} v1`, versionId);
  return { name, modelId, versionId, v };
}

/** A new measurement of each model, one remeasureModelVersion job each. */
async function remeasureAll(models: { versionId: string }[]): Promise<any[]> {
  const before = await Promise.all(models.map(async (m) => (await version(m.versionId)).costs.length));
  for (const m of models)
    await gql(`mutation($v:ID!){ remeasureModelVersion(versionId:$v){ id } }`, { v: m.versionId });
  return Promise.all(
    models.map((m, i) =>
      until("the new measurement", async () => {
        const v = await version(m.versionId);
        return v.costs.length > before[i]! ? v.costs[0] : null;
      }),
    ),
  );
}

interface Series {
  model: string;
  phase: string;
  costs: number[];
  /** $/1M before normalisation to the profile's calibrated speed (as the machine ran). */
  rawCosts: number[];
  speedFactors: (number | null)[];
  uncertainties: number[];
  disturbed: number[];
}
async function reproducibility(
  models: { name: string; versionId: string }[],
  phase: string,
  background: () => Promise<() => Promise<void>>,
) {
  const stopBackground = await background();
  const series: Series[] = models.map((m) => ({
    model: m.name,
    phase,
    costs: [],
    rawCosts: [],
    speedFactors: [],
    uncertainties: [],
    disturbed: [],
  }));
  const t0 = Date.now();
  const load: number[] = [];
  const probes: number[] = [];
  for (let i = 0; i < REMEASURES; i++) {
    if (i > 0) await sleep(Math.max(0, t0 + i * SPACING_MS - Date.now()));
    load.push(loadavg()[0]!);
    probes.push(cpuProbeMs());
    const costs = await remeasureAll(models);
    costs.forEach((c, k) => {
      series[k]!.costs.push(Number(c.costPerMillionUsd));
      series[k]!.rawCosts.push(
        (Number(c.costPerMillionUsd) * c.throughputPerSecond) / (c.rawThroughputPerSecond ?? c.throughputPerSecond),
      );
      series[k]!.speedFactors.push(c.speedFactor);
      series[k]!.uncertainties.push(c.uncertainty);
      series[k]!.disturbed.push(c.disturbedRounds);
    });
    log(
      `${phase} ${i + 1}/${REMEASURES}: ${costs.map((c, k) => `${models[k]!.name} $${c.costPerMillionUsd} ±${(c.uncertainty * 100).toFixed(1)}%`).join(", ")}`,
    );
  }
  const minutes = (Date.now() - t0) / 60_000;
  await stopBackground();
  return { series, minutes, load, probes };
}

const round = (x: number, d = 3) => Number(x.toFixed(d));
const spread = (xs: number[]) => Math.max(...xs) / Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const machineLine = (loads: number[], probes: number[]) =>
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${loads.map((x) => x.toFixed(1)).join(", ")}; CPU probe (a fixed JavaScript loop) ${Math.min(...probes).toFixed(0)}–${Math.max(...probes).toFixed(0)} ms (median ${median(probes).toFixed(0)}).`;
const commandLine = (part: string, t0: number) =>
  `Command: \`npm run bench:measure -w @costgate/e2e -- --part ${part}${quick ? " --quick" : ""}\` (${((Date.now() - t0) / 60_000).toFixed(0)} min, ${new Date().toISOString().slice(0, 16)}Z).
The real stack (API and one worker process, PostgreSQL, Redis); the worker's default measurement settings
(MEASURE_MIN_RUNS 50, MEASURE_MIN_TIME_MS 1000, MEASURE_ROUNDS 10), tfjs ${process.env.COSTGATE_TF_BACKEND ?? "wasm"}, profile c7i.large.`;
function write(heading: string, text: string) {
  writeBenchmarkSection(heading, `${heading}\n\n${text}`);
  log(`wrote "${heading}" in docs/BENCHMARKS.md`);
  console.log(text);
}
const parts = (
  args.find((a) => a.startsWith("--part="))?.slice(7) ??
  (args.includes("--part") ? args[args.indexOf("--part") + 1] : undefined) ??
  "repro,significance,policy"
).split(",");
type Registered = Awaited<ReturnType<typeof registerModel>>;
const registered = new Map<string, Registered>();
const model = async (name: ModelName): Promise<Registered> => {
  if (!registered.has(name)) registered.set(name, await registerModel(name));
  return registered.get(name)!;
};

async function reproPart() {
  const t0 = Date.now();
  const measured = [await model("digits-cnn"), await model(LARGE)];
  // 1. Reproducibility on a quiet machine, then while another job fine-tunes on it.
  const quiet = await reproducibility(measured, "quiet", async () => async () => undefined);
  const stagesSeen = new Set<string>();
  const loaded = await reproducibility(measured, "while fine-tuning", async () => {
    // Fine-tuning jobs of the digits CNN, one after another, for the whole phase.
    let running = true;
    let current = "";
    const background = (async () => {
      while (running) {
        current = await runPolicy(await model("digits-cnn"), `background fine-tune ${Date.now()}`, [
          { kind: "FINE_TUNE", params: { epochs: 100, learningRate: 0.0005, batchSize: 8 } },
        ]);
        for (;;) {
          const j = await job(current);
          if (j.stage) stagesSeen.add(j.stage.replace(/epoch \d+\/\d+, batch \d+\/\d+, loss [\d.]+/, "epoch …"));
          if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status)) break;
          await sleep(500);
        }
      }
    })();
    await until(
      "the background fine-tune to run",
      async () => current && (await job(current)).stage?.includes("fine-tuning"),
    );
    return async () => {
      running = false;
      await gql(`mutation($id:ID!){ cancelOptimizationJob(id:$id){ status } }`, { id: current });
      await background;
    };
  });
  const pausedSeen = [...stagesSeen].some((s) => s.startsWith("Paused: a cost measurement"));

  const rows = [...quiet.series, ...loaded.series].map(
    (s) =>
      `| ${s.model} | ${s.phase} | ${s.costs.map((c) => c.toFixed(6)).join(", ")} | **${round(spread(s.costs))}** | ${round(spread(s.rawCosts))} | ${s.speedFactors.map((f) => (f === null ? "–" : f.toFixed(2))).join(", ")} | ${s.uncertainties.map((u) => `±${(u * 100).toFixed(1)}%`).join(", ")} | ${s.disturbed.join(", ")} |`,
  );
  const phaseLoad = (p: { load: number[] }) => `${Math.min(...p.load).toFixed(1)}–${Math.max(...p.load).toFixed(1)}`;
  write(
    REPRO,
    `${commandLine("repro", t0)}
${machineLine([...quiet.load, ...loaded.load], [...quiet.probes, ...loaded.probes])}

${REMEASURES} re-measurements of each model, each one \`remeasureModelVersion\` job: ${round(quiet.minutes, 1)} min with no job of
this stack beside them (machine load average ${phaseLoad(quiet)}), then ${round(loaded.minutes, 1)} min while fine-tuning jobs of the
digits CNN run on the same worker one after another (load average ${phaseLoad(loaded)}); the measurement lock pauses
them during each measurement (their stage said "Paused: a cost measurement is running on this machine":
${pausedSeen ? "seen" : "NOT seen"}). Target: max/min ≤ 1.05 quiet, ≤ 1.10 while fine-tuning.

Each $/1M is normalised to the profile's speed calibration (made by the first measurement on the profile:
the speed reference of packages/ml timed beside the model, see docs/ARCHITECTURE.md); "raw max/min" is the
same measurements before normalisation, as the machine ran; "machine speed" is each measurement's speed
factor against the calibration.

| model | phase | $/1M of each re-measurement | max/min | raw max/min | machine speed | uncertainty | disturbed rounds |
|:---|:---|:---|---:|---:|:---|:---|:---|
${rows.join("\n")}
`,
  );
}

async function significancePart() {
  const t0 = Date.now();
  const loads: number[] = [loadavg()[0]!];
  const probes: number[] = [cpuProbeMs()];
  // 2. Significance of each step against its input.
  const significance: {
    model: string;
    step: string;
    ratio: number;
    low: number;
    high: number;
    significant: boolean;
    failed?: string;
  }[] = [];
  const steps: [string, unknown][] = [
    ["uint8", { kind: "QUANTIZE", params: { dtype: "uint8" } }],
    ["float16", { kind: "QUANTIZE", params: { dtype: "float16" } }],
    ["fine-tune (same shape)", { kind: "FINE_TUNE", params: { epochs: 1, learningRate: 0.0005, batchSize: 32 } }],
  ];
  for (const name of FLEET) {
    const m = await model(name);
    // batch 4 at 224x224: a training batch of 8 exhausts the wasm backend's memory
    const plan = [
      ...steps.map(([label, step]): [string, unknown] =>
        name === "mobilenet-v2" && label.startsWith("fine-tune")
          ? [label, { kind: "FINE_TUNE", params: { epochs: 1, learningRate: 0.0005, batchSize: 4 } }]
          : [label, step],
      ),
      ...(name === "digits-cnn"
        ? ([["structured 50%", { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } }]] as [
            string,
            unknown,
          ][])
        : []),
    ];
    for (const [label, step] of plan) {
      const done = await finished(await runPolicy(m, `${name} ${label}`, [step], 1));
      const c = done.candidates[0]?.comparedToParent;
      if (!c) {
        // Reported as it happened, and the other steps still run.
        const failed = `${done.status}: ${String(done.error ?? done.stage).slice(0, 200)}`;
        significance.push({ model: name, step: label, ratio: NaN, low: NaN, high: NaN, significant: false, failed });
        log(`${name} ${label}: no comparison (${failed})`);
        continue;
      }
      significance.push({
        model: name,
        step: label,
        ratio: c.throughputRatio,
        low: c.low,
        high: c.high,
        significant: c.significant,
      });
      log(
        `${name} ${label}: ${c.throughputRatio.toFixed(3)}x (${c.low.toFixed(3)}–${c.high.toFixed(3)}) ${c.significant ? "significant" : "not significant"}`,
      );
    }
  }

  loads.push(loadavg()[0]!);
  probes.push(cpuProbeMs());
  write(
    SIGNIFICANCE,
    `${commandLine("significance", t0)}
${machineLine(loads, probes)}

Each step run as a one-step policy on the model's upload; the candidate measured interleaved with its input
in one session (\`comparedToParent\`). Target: uint8, float16 and the unchanged-shape fine-tune not
significant; structured 50% of the digits CNN significant.

| model | step | throughput ratio | 95% interval | significant |
|:---|:---|---:|:---|:---|
${significance.map((r) => (r.failed ? `| ${r.model} | ${r.step} | — | — | no comparison: the job ended ${r.failed} |` : `| ${r.model} | ${r.step} | ${r.ratio.toFixed(3)} | ${r.low.toFixed(3)}–${r.high.toFixed(3)} | ${r.significant} |`)).join("\n")}
`,
  );
}

async function policyPart() {
  const t0 = Date.now();
  const loads: number[] = [loadavg()[0]!];
  const probes: number[] = [cpuProbeMs()];
  // 3. The full policy on the MobileNetV2-size model, then again with kill -9 mid-step.
  const fullSteps = [
    { kind: "PRUNE", params: { method: "structured", sparsity: 0.3 } },
    // batch 4 at 224x224: a batch of 8 exhausts the wasm backend's memory during training
    { kind: "FINE_TUNE", params: { epochs: 1, learningRate: 0.001, batchSize: quick ? 16 : 4 } },
    { kind: "QUANTIZE", params: { dtype: "uint8", accuracyAware: true } },
  ];
  const large = await model(LARGE);
  const logBefore = readFileSync(workerLog, "utf8").length;
  const fullT0 = Date.now();
  const full = await finished(await runPolicy(large, "full policy", fullSteps, 0.05));
  const fullMinutes = (Date.now() - fullT0) / 60_000;
  const lockErrors = (text: string) =>
    (text.match(/could not renew lock|Missing lock|job stalled|stalled more than/gi) ?? []).length;
  const fullLockErrors = lockErrors(readFileSync(workerLog, "utf8").slice(logBefore));
  log(
    `full policy: ${full.status}, ${full.candidates.length} versions, ${fullLockErrors} lock errors, ${fullMinutes.toFixed(1)} min`,
  );

  const killId = await runPolicy(large, "full policy, killed", fullSteps, 0.05);
  await until(
    "fine-tuning (step 2) to run",
    async () => (await job(killId)).stage?.startsWith("Step 2/3: fine-tuning"),
    30 * 60_000,
    500,
  );
  await bench.stopWorker("SIGKILL");
  log("worker killed (-9) in the middle of step 2; starting a new one");
  startWorker();
  const killed = await finished(killId);
  const perStep = [0, 1, 2].map(
    (i) => killed.candidates.filter((c: any) => c.recipe && fullSteps[i]!.kind === c.recipe.kind).length,
  );
  log(`after kill -9: ${killed.status}, versions per step ${perStep.join("/")}, attempts ${killed.attempts}`);

  loads.push(loadavg()[0]!);
  probes.push(cpuProbeMs());
  write(
    POLICY,
    `${commandLine("policy", t0)}
${machineLine(loads, probes)}

Structured 30% → fine-tune 1 epoch → accuracy-aware uint8 on ${LARGE}, through the API.
- Uninterrupted: ${full.status}, ${full.candidates.length} versions for 3 steps, ${fullLockErrors} lock errors ("could not renew lock", "Missing lock", stalled) in the worker log, ${fullMinutes.toFixed(1)} min; best ${full.bestVersion ? `version ${full.bestVersion.number}` : "none"} (${full.stage}).
- The worker killed with -9 in the middle of step 2, a new worker started: ${killed.status}, versions per step ${perStep.join(" / ")}, job attempts ${killed.attempts}.
`,
  );
}

try {
  startWorker();
  if (parts.includes("repro")) await reproPart();
  if (parts.includes("significance")) await significancePart();
  if (parts.includes("policy")) await policyPart();
} finally {
  await bench.stop();
}
