// Writes the "## Real data: ..." sections of docs/BENCHMARKS.md (issue #11's done-when).
//
//   npm run bench:real-data -w @costgate/e2e
//   options: --sparsity 0.3 --epochs 2 --lr 0.01 --batch 8 --temperature 2 --unlabeled 500 --evaluation 2000
//
// Against the real stack (API and worker processes, PostgreSQL, Redis), through the API as an ML
// team would, with the MobileNetV2-size reference model (224x224x3, ~2.3 M parameters) and
// procedurally rendered shape images (PNGs in zips, the reference's generator). One model:
// 1. its version 1, then an UNLABELED zip ("traffic", flat) and an EVALUATION zip (held out, label
//    folders) uploaded and registered: wall time of each upload and registerDataset, the API's
//    peak RSS during both (it must not grow with the archive); the worker's peak RSS (its TF
//    process included) while it evaluates version 1 on the held-out images;
// 2. structured prune -> DISTILL on the UNLABELED images (no TRAIN set: no label used), the
//    guardrail 2 points: accuracy of source, pruned and distilled on the held-out images, the
//    measured $/1M of each and the paired comparison of each with its parent.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureReferenceModels, writeShapeImageZip } from "@costgate/ml";
import { startBenchStack, sleep } from "./bench-stack.ts";
import { writeBenchmarkSection } from "./benchmarks-file.ts";

const UPLOAD = "## Real data: uploading and registering image zips (apps/api, apps/worker)";
const DISTILL = "## Real data: MobileNetV2 pruned, then distilled from an unlabeled image zip (apps/worker)";
const MODEL = "mobilenet-v2";

const { values: args } = parseArgs({
  options: {
    sparsity: { type: "string", default: "0.3" },
    epochs: { type: "string", default: "2" },
    lr: { type: "string", default: "0.01" },
    batch: { type: "string", default: "8" },
    temperature: { type: "string", default: "2" },
    unlabeled: { type: "string", default: "500" },
    evaluation: { type: "string", default: "2000" },
  },
});
const log = (line: string) => console.log(`[bench:real-data ${new Date().toISOString().slice(11, 19)}] ${line}`);
const logDir = join(tmpdir(), `costgate-bench-real-data-${Date.now()}`);
const dataDir = join(logDir, "data");
await mkdir(dataDir, { recursive: true });

log(`reference model ${MODEL} (generating it if missing: minutes)`);
const manifest = await ensureReferenceModels(undefined, { only: [MODEL] });
const reference = manifest.models.find((m) => m.name === MODEL)!;
const size = 224;

const bench = await startBenchStack({ logDir, log });
const { gql } = bench;

/** Resident memory of a process and all its descendants (the worker's TensorFlow child included), bytes. */
function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const visit = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      total += m ? Number(m[1]) * 1024 : 0;
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

/** Samples the peak RSS of a process tree every 50 ms until stopped. */
function peakRss(pid: number) {
  let peak = treeRss(pid);
  const start = peak;
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 50);
  return {
    start,
    stop: () => {
      clearInterval(timer);
      return { start, peak: Math.max(peak, treeRss(pid)) };
    },
  };
}

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const loads: number[] = [];
const machine = () =>
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average (1 min) read during the run ${loads.map((x) => x.toFixed(1)).join(", ")}.`;
const argsText = process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : "";
const command = (t0: number) =>
  `Command: \`npm run bench:real-data -w @costgate/e2e${argsText}\` (${((Date.now() - t0) / 60_000).toFixed(0)} min, ${new Date().toISOString().slice(0, 16)}Z); tfjs ${process.env.COSTGATE_TF_BACKEND ?? "wasm"}, the worker's default measurement settings, profile c7i.large.`;
function write(heading: string, text: string) {
  writeBenchmarkSection(heading, `${heading}\n\n${text}`);
  log(`wrote "${heading}" in docs/BENCHMARKS.md`);
  console.log(text);
}

interface Registered {
  images: number;
  role: "EVALUATION" | "UNLABELED";
  bytes: number;
  uploadMs: number;
  registerMs: number;
  rows: number;
  api: { start: number; peak: number };
}

/** Renders a zip, uploads and registers it, sampling the API's memory throughout. */
async function uploadAndRegister(
  modelId: string,
  role: "EVALUATION" | "UNLABELED",
  images: number,
  split: string,
): Promise<Registered> {
  const zip = join(dataDir, `${split}.zip`);
  const { bytes } = await writeShapeImageZip(zip, { rows: images, size, split, labelled: role === "EVALUATION" });
  loads.push(loadavg()[0]!);
  const api = peakRss(bench.stack.pid("api")!);
  let t = performance.now();
  const artifactId = await bench.upload("dataset", [zip]);
  const uploadMs = performance.now() - t;
  t = performance.now();
  const { registerDataset } = await gql<{ registerDataset: { rows: number } }>(
    `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ rows } }`,
    { i: { modelId, name: split, role, artifactId, preprocessing: { scale: "ZERO_ONE" } } },
  );
  const registerMs = performance.now() - t;
  const r = { images, role, bytes, uploadMs, registerMs, rows: registerDataset.rows, api: api.stop() };
  log(
    `${images} ${role} images (${MiB(bytes)}): upload ${seconds(uploadMs)}, register ${seconds(registerMs)}, API RSS ${MiB(r.api.start)} -> peak ${MiB(r.api.peak)}`,
  );
  return r;
}

const uploadRow = (r: Registered) =>
  `| ${r.images} | ${r.role} | ${MiB(r.bytes)} | ${seconds(r.uploadMs)} | ${seconds(r.registerMs)} (${r.rows} rows) | ${MiB(r.api.start)} → ${MiB(r.api.peak)} (+${MiB(r.api.peak - r.api.start)}) |`;
const compared = (x: any) =>
  x
    ? `${x.throughputRatio.toFixed(3)}× (${x.low.toFixed(3)}–${x.high.toFixed(3)}), significant: ${x.significant}`
    : "—";

async function run() {
  const t0 = Date.now();
  const sparsity = Number(args.sparsity);
  const params = {
    epochs: Number(args.epochs),
    learningRate: Number(args.lr),
    batchSize: Number(args.batch),
    temperature: Number(args.temperature),
  };
  // Version 1 first: image datasets are decoded at the input size of the model's version.
  const modelId = await bench.createModel("shapes from traffic", "CLASSIFICATION", reference.classNames);
  const versionId = await bench.registerVersion(modelId, reference.files.modelJson);
  await bench.ready("version 1", versionId);
  const unlabeled = await uploadAndRegister(modelId, "UNLABELED", Number(args.unlabeled), "traffic");
  const evaluation = await uploadAndRegister(modelId, "EVALUATION", Number(args.evaluation), "held-out");
  // Registered after version 1, the EVALUATION images make the worker evaluate it on them.
  const worker = peakRss(bench.worker()!.pid!);
  let t = performance.now();
  const source = await bench.ready("version 1 on the held-out images", versionId, (v) => v.evaluation);
  const evaluateMs = performance.now() - t;
  const workerRss = worker.stop();
  log(
    `source: accuracy ${pct(source.evaluation.value)} on ${evaluation.rows} images (${seconds(evaluateMs)}, worker RSS ${MiB(workerRss.start)} -> ${MiB(workerRss.peak)}), $${source.costs[0].costPerMillionUsd}/1M`,
  );
  write(
    UPLOAD,
    `${command(t0)}
${machine()}

Zips of ${size}x${size} PNGs (stored, as the reference generator writes them) for a MobileNetV2 (224x224x3) model, each uploaded
(\`POST /uploads\`, streamed from disk) and registered (\`registerDataset\` decodes every image at the model's input size into the
IMAGE_TENSORS file); the API's resident memory sampled every 50 ms from before the upload to the end of the registration.

| Images | Role | Zip | Upload | registerDataset | API RSS: before → peak |
| -----: | ---- | --: | -----: | --------------: | ---------------------: |
${uploadRow(unlabeled)}
${uploadRow(evaluation)}

The worker (its process and its TensorFlow child) then evaluated version 1 on the ${evaluation.rows} EVALUATION images in ${seconds(evaluateMs)}:
RSS ${MiB(workerRss.start)} before → ${MiB(workerRss.peak)} peak (the decoded file holds ${MiB(evaluation.rows * size * size * 3)} of pixels, read in batches).
`,
  );

  const steps = [
    { kind: "PRUNE", params: { method: "structured", sparsity } },
    { kind: "DISTILL", params },
  ];
  t = performance.now();
  const jobId = await bench.runPolicy({ modelId, versionId }, "prune then distill from traffic", steps, 0.02);
  const stepTimes: Record<string, number> = {};
  let last = Date.now();
  let lastStep = "";
  const job = await bench.finished(jobId, 4 * 60 * 60_000, (j) => {
    const step = /^Step (\d)\//.exec(j.stage ?? "")?.[1] ?? "";
    if (step !== lastStep) {
      if (lastStep) stepTimes[lastStep] = Date.now() - last;
      last = Date.now();
      lastStep = step;
      loads.push(loadavg()[0]!);
      log(`job: ${j.stage}`);
    }
  });
  if (lastStep) stepTimes[lastStep] = Date.now() - last;
  if (job.status !== "SUCCEEDED") throw new Error(`job ${job.status}: ${job.error}`);
  const [pruned, distilled] = job.candidates;
  const cost = (v: any) => Number(v.costs[0].costPerMillionUsd);
  const cheaper = cost(source) / cost(distilled);
  // What the job itself reports: the paired comparisons along the chain, composed.
  const { result } = await bench.job(jobId, "result");
  const paired = result?.steps?.find((s: any) => s.versionId === distilled.id)?.savingVsSource?.relative;
  const pairedCheaper = typeof paired === "number" ? 1 / (1 - paired) : NaN;
  const drop = source.evaluation.value - distilled.evaluation.value;
  const met = pruned.comparedToParent.significant && cheaper >= 1.4 && pairedCheaper >= 1.4 && drop <= 0.02;
  const r = distilled.recipe.result;
  write(
    DISTILL,
    `${command(t0)}
${machine()}

MobileNetV2 (224x224x3, width 1.0) with the EVALUATION zip of ${evaluation.rows} held-out labelled images and the UNLABELED zip of
${unlabeled.rows} other images above (no TRAIN set: no label reaches the training), through the API and one worker:
structured prune ${pct(sparsity)} → DISTILL from version 1 (${params.epochs} epochs, learning rate ${params.learningRate}, batch ${params.batchSize}, T ${params.temperature}), guardrail 2 points.

| Version | Accuracy (held-out) | $/1M | Throughput/s | Against its parent (paired) |
| ------- | ------------------: | ---: | -----------: | --------------------------- |
| 1 source | ${pct(source.evaluation.value)} | ${source.costs[0].costPerMillionUsd} | ${source.costs[0].throughputPerSecond.toFixed(1)} | |
| ${pruned.number} pruned | ${pct(pruned.evaluation.value)} | ${pruned.costs[0].costPerMillionUsd} | ${pruned.costs[0].throughputPerSecond.toFixed(1)} | ${compared(pruned.comparedToParent)} |
| ${distilled.number} distilled | ${pct(distilled.evaluation.value)} | ${distilled.costs[0].costPerMillionUsd} | ${distilled.costs[0].throughputPerSecond.toFixed(1)} | ${compared(distilled.comparedToParent)} |

Distilled against the source: **${cheaper.toFixed(2)}× cheaper** by the two stored $/1M, **${pairedCheaper.toFixed(2)}×** by the paired comparisons
along the chain, composed (the saving the job reports), accuracy **${drop > 0 ? "−" : "+"}${(Math.abs(drop) * 100).toFixed(1)} points**
(target: the prune's saving significant, ≥ 1.4× cheaper by both, within 2 points — ${met ? "met" : "NOT met"}). Job ${job.status} in ${seconds(performance.now() - t)}, best version
${job.bestVersion ? job.bestVersion.number : "none"}; step times: prune ${seconds(stepTimes["1"] ?? 0)}, distill ${seconds(stepTimes["2"] ?? 0)}
(each including the version's evaluation and measurement). Distillation's recipe: ${r.rows} rows from ${r.inputsFrom}, labels used: ${r.labelsUsed}, final loss ${Number(r.finalLoss).toFixed(4)}.
`,
  );
}

try {
  bench.startWorker();
  await sleep(1000);
  await run();
} finally {
  await bench.stop();
  log(
    `logs in ${logDir} (${readdirSync(logDir)
      .map((f) => `${f} ${MiB(statSync(join(logDir, f)).size)}`)
      .join(", ")})`,
  );
}
