/**
 * DISTILL benchmark (issue #11, done-when: "DISTILL of the digits CNN pruned 50%, from an
 * UNLABELED set, recovers to within 1 point of the source with no labels used").
 *
 *   npm run bench:distill -w @costgate/ml      (options: --epochs N --lr X --batch N --temperature T)
 *
 * The digits-CNN reference model is pruned 50% (structured) and distilled towards the unpruned
 * model on the inputs of its train CSV with the label column removed (read by loadCsvInputs,
 * which refuses a label column), then the source, pruned and distilled models are scored on
 * the labelled held-out evaluation CSV, which distillation never sees. Prints the section and
 * writes it into docs/BENCHMARKS.md (replacing an earlier run's).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { agreementWith } from "../src/agreement.ts";
import { initBackend } from "../src/backend.ts";
import { disposeDataset, loadCsvDataset, loadCsvInputs } from "../src/dataset.ts";
import { distill } from "../src/distill.ts";
import { evaluateModel } from "../src/evaluate.ts";
import { loadModel } from "../src/model-io.ts";
import { pruneStructured } from "../src/prune-structured.ts";
import { ensureReferenceModels } from "../src/reference/generate.ts";

const HEADING = "## DISTILL: digits CNN pruned 50% from unlabeled inputs (packages/ml)";
const DOC = fileURLToPath(new URL("../../../docs/BENCHMARKS.md", import.meta.url));
const COMMAND = "npm run bench:distill -w @costgate/ml";

const { values: args } = parseArgs({
  options: {
    epochs: { type: "string", default: "4" },
    lr: { type: "string", default: "0.05" },
    batch: { type: "string", default: "32" },
    temperature: { type: "string", default: "2" },
  },
});
const epochs = Number(args.epochs);
const learningRate = Number(args.lr);
const batchSize = Number(args.batch);
const temperature = Number(args.temperature);

/** The CSV without its label column: what an UNLABELED dataset holds. */
function withoutLabels(csvPath: string): string {
  const lines = readFileSync(csvPath, "utf8").trimEnd().split("\n");
  const labelAt = lines[0]!.split(",").indexOf("label");
  const out = join(mkdtempSync(join(tmpdir(), "costgate-bench-distill-")), "unlabeled.csv");
  writeFileSync(
    out,
    lines
      .map((l) =>
        l
          .split(",")
          .filter((_, i) => i !== labelAt)
          .join(","),
      )
      .join("\n") + "\n",
  );
  return out;
}

/** Replaces (or appends) the section of docs/BENCHMARKS.md that starts with HEADING (e2e/bench/benchmarks-file.ts's rule). */
function writeSection(section: string): void {
  const current = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n";
  const start = current.indexOf(HEADING);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const end = current.indexOf("\n## ", start + HEADING.length);
    next = current.slice(0, start) + section + (end === -1 ? "" : `\n${current.slice(end + 1)}`);
  }
  writeFileSync(DOC, next.endsWith("\n") ? next : `${next}\n`);
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

async function main(): Promise<void> {
  const backend = await initBackend();
  const manifest = await ensureReferenceModels(undefined, { only: ["digits-cnn"] });
  const files = manifest.models.find((m) => m.name === "digits-cnn")!.files;
  const shape = [28, 28, 1];
  const teacher = await loadModel(files.modelJson);
  const inputs = await loadCsvInputs(withoutLabels(files.train), { inputShape: shape });
  const evaluation = await loadCsvDataset(files.evaluation, { inputShape: shape, task: "classification" });
  const accuracy = async (m: typeof teacher) => (await evaluateModel(m, evaluation, { task: "classification" })).value;
  const agreement = async (m: typeof teacher) =>
    (await agreementWith(m, teacher, evaluation, { task: "classification" })).value;

  const source = await accuracy(teacher);
  const { model: student } = await pruneStructured(teacher, { sparsity: 0.5 });
  const pruned = { accuracy: await accuracy(student), agreement: await agreement(student) };
  const started = performance.now();
  const result = await distill(student, teacher, inputs, {
    task: "classification",
    epochs,
    learningRate,
    batchSize,
    temperature,
  });
  const seconds = (performance.now() - started) / 1000;
  const distilled = { accuracy: await accuracy(student), agreement: await agreement(student) };
  const gap = source - distilled.accuracy;
  const met = gap <= 0.01 + 1e-12;

  const section = [
    HEADING,
    "",
    `Command: \`${COMMAND}\` (${backend} backend, ${new Date().toISOString().slice(0, 10)}).`,
    "",
    `The digits-CNN reference model pruned 50% (structured: half the filters and units), then distilled`,
    `towards the unpruned model on the ${result.rows} inputs of its train CSV with the label column removed`,
    `(read as an UNLABELED dataset: no labels used). SGD, ${result.epochsRun} epochs, learning rate ${learningRate},`,
    `batch ${batchSize}, temperature ${temperature}, loss ${result.loss}. Scored on the labelled held-out`,
    `evaluation CSV (${evaluation.rows} rows), which distillation never sees.`,
    "",
    "| model | accuracy (held-out) | agreement with source | drop vs source |",
    "| --- | ---: | ---: | ---: |",
    `| source | ${pct(source)} | 100.00% | — |`,
    `| pruned 50% | ${pct(pruned.accuracy)} | ${pct(pruned.agreement)} | ${((source - pruned.accuracy) * 100).toFixed(2)} points |`,
    `| pruned 50% + DISTILL | ${pct(distilled.accuracy)} | ${pct(distilled.agreement)} | ${(gap * 100).toFixed(2)} points |`,
    "",
    `Distillation: ${result.rows} rows × ${result.epochsRun} epochs in ${seconds.toFixed(1)} s; loss by epoch ${result.history
      .map((h) => h.loss.toFixed(4))
      .join(" → ")}.`,
    "",
    `- [${met ? "x" : " "}] recovers to within 1 point of the source with no labels used: ${gap > 0 ? `${(gap * 100).toFixed(2)} points below` : `${(-gap * 100).toFixed(2)} points above`} the source`,
    "",
  ].join("\n");
  console.log(section);
  writeSection(section);
  console.log(`wrote the "${HEADING.slice(3)}" section of ${DOC}`);
  disposeDataset(inputs);
  disposeDataset(evaluation);
}

await main();
