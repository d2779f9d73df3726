// Writes the "## Real data: ..." sections of docs/BENCHMARKS.md (issue #11's done-when).
//
//   npm run bench:real-data -w @costgate/e2e                      both parts
//   npm run bench:real-data -w @costgate/e2e -- --part upload     one part: upload or distill
//   options: --sparsity 0.3 --epochs 3 --lr 0.01 --batch 8 --temperature 2 --unlabeled 512 --evaluation 256
//
// Against the real stack (API and worker processes, PostgreSQL, Redis), through the API as an ML
// team would, with the MobileNetV2-size reference model (224x224x3, ~2.3 M parameters) and
// procedurally rendered shape images (PNGs in zips, the reference's generator):
// 1. upload: a 500- and a 2,000-image zip, each uploaded and registered as the EVALUATION set of its
//    own model: wall time of the upload and of registerDataset, the API's peak RSS during both (it
//    must not grow with the archive), the worker's peak RSS (its TF process included) while it
//    re-evaluates version 1 on the images;
// 2. distill: structured prune → DISTILL on an UNLABELED zip (no TRAIN set, no label used), the
//    guardrail 2 points: accuracy of source, pruned and distilled on a held-out labelled zip, the
//    measured $/1M of each and the paired comparison of the prune with the source.
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
    part: { type: "string", default: "upload,distill" },
    sparsity: { type: "string", default: "0.3" },
    epochs: { type: "string", default: "3" },
    lr: { type: "string", default: "0.01" },
    batch: { type: "string", default: "8" },
    temperature: { type: "string", default: "2" },
    unlabeled: { type: "string", default: "512" },
    evaluation: { type: "string", default: "256" },
  },
});
const parts = args.part!.split(",");
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
const command = (part: string, t0: number) =>
  `Command: \`npm run bench:real-data -w @costgate/e2e -- --part ${part}\` (${((Date.now() - t0) / 60_000).toFixed(0)} min, ${new Date().toISOString().slice(0, 16)}Z); tfjs ${process.env.COSTGATE_TF_BACKEND ?? "wasm"}, the worker's default measurement settings, profile c7i.large.`;
function write(heading: string, text: string) {
  writeBenchmarkSection(heading, `${heading}\n\n${text}`);
  log(`wrote "${heading}" in docs/BENCHMARKS.md`);
  console.log(text);
}

async function modelWithVersion(name: string): Promise<{ modelId: string; versionId: string; v: any }> {
  const modelId = await bench.createModel(name, "CLASSIFICATION", reference.classNames);
  const versionId = await bench.registerVersion(modelId, reference.files.modelJson);
  const v = await bench.ready(`${name} v1`, versionId);
  return { modelId, versionId, v };
}

async function uploadPart() {
  const t0 = Date.now();
  const apiPid = bench.stack.pid("api")!;
  const rows: string[] = [];
  for (const images of [500, 2000]) {
    const zip = join(dataDir, `shapes-${images}.zip`);
    const { bytes } = await writeShapeImageZip(zip, {
      rows: images,
      size,
      split: `bench-upload-${images}`,
      labelled: true,
    });
    const { modelId, versionId } = await modelWithVersion(`shapes ${images}`);
    loads.push(loadavg()[0]!);
    const api = peakRss(apiPid);
    let t = performance.now();
    const artifactId = await bench.upload("dataset", [zip]);
    const uploadMs = performance.now() - t;
    t = performance.now();
    const { registerDataset } = await gql<{ registerDataset: { rows: number } }>(
      `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ rows } }`,
      { i: { modelId, name: "evaluation", role: "EVALUATION", artifactId, preprocessing: { scale: "ZERO_ONE" } } },
    );
    const registerMs = performance.now() - t;
    const apiRss = api.stop();
    // Registered after version 1, the EVALUATION images make the worker evaluate it again.
    const worker = peakRss(bench.worker()!.pid!);
    t = performance.now();
    const evaluated = await bench.ready(
      `${images}-image evaluation`,
      versionId,
      (v) => v.evaluation?.samples === images,
    );
    const evaluateMs = performance.now() - t;
    const workerRss = worker.stop();
    loads.push(loadavg()[0]!);
    log(
      `${images} images (${MiB(bytes)}): upload ${seconds(uploadMs)}, register ${seconds(registerMs)}, API RSS ${MiB(apiRss.start)} → peak ${MiB(apiRss.peak)}; worker evaluation ${seconds(evaluateMs)}, worker RSS ${MiB(workerRss.start)} → peak ${MiB(workerRss.peak)}`,
    );
    rows.push(
      `| ${images} | ${MiB(bytes)} | ${seconds(uploadMs)} | ${seconds(registerMs)} (${registerDataset.rows} rows) | ${MiB(apiRss.start)} → ${MiB(apiRss.peak)} (+${MiB(apiRss.peak - apiRss.start)}) | ${seconds(evaluateMs)} (${pct(evaluated.evaluation.value)}) | ${MiB(workerRss.start)} → ${MiB(workerRss.peak)} |`,
    );
  }
  write(
    UPLOAD,
    `${command("upload", t0)}
${machine()}

Zips of ${size}x${size} PNGs in label folders (stored, as the reference generator writes them), each uploaded (\`POST /uploads\`,
streamed from disk) and registered as the EVALUATION set of its own MobileNetV2 model (\`registerDataset\` decodes every image at the
model's input size into the IMAGE_TENSORS file). RSS is the resident memory sampled every 50 ms, of the API process, and of the
worker process with its TensorFlow child while it evaluates version 1 again on the new images.

| Images | Zip | Upload | registerDataset | API RSS: before → peak | Worker: evaluation (accuracy) | Worker RSS: before → peak |
| -----: | --: | -----: | --------------: | ---------------------: | ----------------------------: | ------------------------: |
${rows.join("\n")}
`,
  );
}

async function distillPart() {
  const t0 = Date.now();
  const sparsity = Number(args.sparsity);
  const params = {
    epochs: Number(args.epochs),
    learningRate: Number(args.lr),
    batchSize: Number(args.batch),
    temperature: Number(args.temperature),
  };
  const evaluationZip = join(dataDir, "held-out.zip");
  const unlabeledZip = join(dataDir, "traffic.zip");
  await writeShapeImageZip(evaluationZip, {
    rows: Number(args.evaluation),
    size,
    split: "bench-held-out",
    labelled: true,
  });
  await writeShapeImageZip(unlabeledZip, {
    rows: Number(args.unlabeled),
    size,
    split: "bench-traffic",
    labelled: false,
  });
  const model = await modelWithVersion("shapes from traffic");
  loads.push(loadavg()[0]!);
  const evaluation = await bench.registerDataset(model.modelId, "EVALUATION", evaluationZip, { scale: "ZERO_ONE" });
  const unlabeled = await bench.registerDataset(model.modelId, "UNLABELED", unlabeledZip, { scale: "ZERO_ONE" });
  const source = await bench.ready("version 1 on the held-out images", model.versionId, (v) => v.evaluation);
  log(
    `source: accuracy ${pct(source.evaluation.value)} on ${evaluation.rows} images, $${source.costs[0].costPerMillionUsd}/1M`,
  );

  const steps = [
    { kind: "PRUNE", params: { method: "structured", sparsity } },
    { kind: "DISTILL", params },
  ];
  const jobId = await bench.runPolicy(model, "prune then distill from traffic", steps, 0.02);
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
  const drop = source.evaluation.value - distilled.evaluation.value;
  const c = pruned.comparedToParent;
  const d = distilled.comparedToParent;
  const met = c.significant && cheaper >= 1.4 && drop <= 0.02;
  write(
    DISTILL,
    `${command(`distill --sparsity ${sparsity} --epochs ${params.epochs} --lr ${params.learningRate} --batch ${params.batchSize} --temperature ${params.temperature} --unlabeled ${unlabeled.rows} --evaluation ${evaluation.rows}`, t0)}
${machine()}

MobileNetV2 (224x224x3, width 1.0) with an EVALUATION zip of ${evaluation.rows} held-out labelled images and an UNLABELED zip of
${unlabeled.rows} other images (no TRAIN set: no label reaches the training), through the API and one worker:
structured prune ${pct(sparsity)} → DISTILL from version 1 (${params.epochs} epochs, learning rate ${params.learningRate}, batch ${params.batchSize}, T ${params.temperature}), guardrail 2 points.

| Version | Accuracy (held-out) | $/1M | Throughput/s | Against its parent (paired) |
| ------- | ------------------: | ---: | -----------: | --------------------------- |
| 1 source | ${pct(source.evaluation.value)} | ${source.costs[0].costPerMillionUsd} | ${source.costs[0].throughputPerSecond.toFixed(1)} | |
| ${pruned.number} pruned | ${pct(pruned.evaluation.value)} | ${pruned.costs[0].costPerMillionUsd} | ${pruned.costs[0].throughputPerSecond.toFixed(1)} | ${c.throughputRatio.toFixed(3)}× (${c.low.toFixed(3)}–${c.high.toFixed(3)}), significant: ${c.significant} |
| ${distilled.number} distilled | ${pct(distilled.evaluation.value)} | ${distilled.costs[0].costPerMillionUsd} | ${distilled.costs[0].throughputPerSecond.toFixed(1)} | ${d ? `${d.throughputRatio.toFixed(3)}× (${d.low.toFixed(3)}–${d.high.toFixed(3)}), significant: ${d.significant}` : "—"} |

Distilled against the source: **${cheaper.toFixed(2)}× cheaper** by measured $/1M, accuracy **${drop >= 0 ? "−" : "+"}${(Math.abs(drop) * 100).toFixed(1)} points**
(target: the prune's saving significant, ≥ 1.4× cheaper, within 2 points — ${met ? "met" : "NOT met"}). Job ${job.status}, best version
${job.bestVersion ? job.bestVersion.number : "none"}; step times: prune ${seconds(stepTimes["1"] ?? 0)}, distill ${seconds(stepTimes["2"] ?? 0)}
(each including the version's evaluation and measurement). Distillation's recipe: ${JSON.stringify({ rows: distilled.recipe.result.rows, inputsFrom: distilled.recipe.result.inputsFrom, labelsUsed: distilled.recipe.result.labelsUsed, finalLoss: Number(distilled.recipe.result.finalLoss.toFixed(4)) })}.
`,
  );
}

try {
  bench.startWorker();
  await sleep(1000);
  if (parts.includes("upload")) await uploadPart();
  if (parts.includes("distill")) await distillPart();
} finally {
  await bench.stop();
  log(
    `logs in ${logDir} (${readdirSync(logDir)
      .map((f) => `${f} ${MiB(statSync(join(logDir, f)).size)}`)
      .join(", ")})`,
  );
}
