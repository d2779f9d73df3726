/** Tables, target checklist and the docs/BENCHMARKS.md section of the packages/ml benchmark. */
import { readFile, writeFile } from "node:fs/promises";
import { cpus, release, type as osType } from "node:os";
import type { Task } from "../src/dataset.ts";
import { formatBytes, formatCount, markdownTable } from "../src/text-table.ts";
import type { Variant, VariantKey } from "./variants.ts";

export interface Measured {
  variant: Variant;
  fileBytes: number;
  weightBytes: number;
  metric: number;
  /** p50 batch-1 latency of each round, ms. */
  p50s: number[];
  /** Samples per second at batch 32, each round. */
  throughputs: number[];
  macs: number;
  costPerMillionUsd: string;
  /** Magnitude variants: do the zero counts after fine-tuning equal those right after pruning? */
  sparsity?: { exact: boolean; detail: string };
}

export interface ModelReport {
  name: string;
  description: string;
  task: Task;
  metricName: "accuracy" | "mse";
  rows: Measured[];
}

export interface CheckItem {
  target: string;
  met: boolean;
  detail: string;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Spread of the per-round p50s: coefficient of variation (population standard deviation / mean),
 * the `spread` measureCost reports for its own rounds.
 */
function p50Spread(m: Measured): number {
  const mean = m.p50s.reduce((a, b) => a + b, 0) / m.p50s.length;
  const variance = m.p50s.reduce((a, x) => a + (x - mean) ** 2, 0) / m.p50s.length;
  return Math.sqrt(variance) / mean;
}

/** (max − min) / median of the per-round p50s. */
function p50Range(m: Measured): number {
  return (Math.max(...m.p50s) - Math.min(...m.p50s)) / median(m.p50s);
}

function metricCell(r: ModelReport, v: number): string {
  return r.metricName === "accuracy" ? `${(v * 100).toFixed(2)}%` : v.toPrecision(4);
}

/** Accuracy: change in points; mse: relative change in %. */
function metricChange(r: ModelReport, m: Measured): number {
  const base = r.rows[0]?.metric ?? Number.NaN;
  return r.metricName === "accuracy" ? (m.metric - base) * 100 : ((m.metric - base) / base) * 100;
}

function changeCell(r: ModelReport, m: Measured): string {
  if (m.variant.key === "original") return "";
  const d = metricChange(r, m);
  const sign = Math.abs(d) < 0.005 ? "±" : d > 0 ? "+" : "−";
  return r.metricName === "accuracy" ? `${sign}${Math.abs(d).toFixed(2)} pt` : `${sign}${Math.abs(d).toFixed(2)}%`;
}

/**
 * Throughput of `m` over the original's, paired round by round (both measured within seconds of
 * each other), median over the rounds: cancels the slow drift of the machine's speed.
 */
function throughputRatio(r: ModelReport, m: Measured): number {
  const base = r.rows[0] as Measured;
  return median(m.throughputs.map((t, i) => t / (base.throughputs[i] as number)));
}

export function modelTable(r: ModelReport): string {
  const base = r.rows[0] as Measured;
  const rows = r.rows.map((m) => [
    m.variant.label,
    formatBytes(m.fileBytes),
    `${(base.fileBytes / m.fileBytes).toFixed(2)}×`,
    `${(base.weightBytes / m.weightBytes).toFixed(2)}×`,
    metricCell(r, m.metric),
    changeCell(r, m),
    median(m.p50s).toFixed(3),
    Math.round(median(m.throughputs)).toLocaleString("en-US"),
    `${throughputRatio(r, m).toFixed(2)}×`,
    formatCount(m.macs),
    `$${m.costPerMillionUsd}`,
    m.variant.key === "original" ? "" : m.variant.transformSeconds.toFixed(2),
    `${(p50Spread(m) * 100).toFixed(1)}% (${(p50Range(m) * 100).toFixed(1)}%)`,
  ]);
  return markdownTable(
    [
      "version",
      "file bytes",
      "file ratio",
      "weights ratio",
      r.metricName,
      "change",
      "p50 @1 (ms)",
      "samples/s @32",
      "throughput ratio",
      "MACs",
      "$/1M (c7i.large)",
      "transform (s)",
      "p50 spread (range)",
    ],
    rows,
  );
}

export function modelNotes(r: ModelReport): string[] {
  const out: string[] = [];
  for (const m of r.rows) {
    const notes = [...m.variant.notes, ...(m.sparsity ? [m.sparsity.detail] : [])];
    if (notes.length > 0) out.push(`- ${m.variant.label}: ${notes.join("; ")}`);
  }
  return out;
}

function row(r: ModelReport, key: VariantKey): Measured {
  const m = r.rows.find((x) => x.variant.key === key);
  if (!m) throw new Error(`${r.name} has no ${key} row`);
  return m;
}

function signed(v: number): string {
  return Math.abs(v) < 0.005 ? "±0.00" : `${v > 0 ? "+" : "−"}${Math.abs(v).toFixed(2)}`;
}

export function checklist(reports: ModelReport[]): CheckItem[] {
  const classifiers = reports.filter((r) => r.task === "classification");
  const items: CheckItem[] = [];
  const ratio = (r: ModelReport, key: VariantKey) => (r.rows[0] as Measured).weightBytes / row(r, key).weightBytes;
  const fileRatio = (r: ModelReport, key: VariantKey) => (r.rows[0] as Measured).fileBytes / row(r, key).fileBytes;

  const u8 = reports.map((r) => ({ r, w: ratio(r, "uint8"), f: fileRatio(r, "uint8") }));
  items.push({
    target: "uint8 file ratio ≥ 3.9× (weight files)",
    met: u8.every((x) => x.w >= 3.9),
    detail: u8.map((x) => `${x.r.name} ${x.w.toFixed(2)}× (with model.json ${x.f.toFixed(2)}×)`).join(", "),
  });
  const f16 = reports.map((r) => ({ r, w: ratio(r, "float16"), f: fileRatio(r, "float16") }));
  items.push({
    target: "float16 file ratio ≥ 1.98× (weight files)",
    met: f16.every((x) => x.w >= 1.98),
    detail: f16.map((x) => `${x.r.name} ${x.w.toFixed(2)}× (with model.json ${x.f.toFixed(2)}×)`).join(", "),
  });
  const u8loss = classifiers.map((r) => ({ r, d: -metricChange(r, row(r, "uint8")) }));
  items.push({
    target: "uint8 loses ≤ 0.3 points of accuracy on the reference classifiers",
    met: u8loss.every((x) => x.d <= 0.3 + 1e-9),
    detail: u8loss.map((x) => `${x.r.name} ${signed(-x.d)} pt`).join(", "),
  });
  const aware = reports.map((r) => {
    const m = row(r, "uint8-aware");
    const base = (r.rows[0] as Measured).metric;
    const drop = r.metricName === "accuracy" ? base - m.metric : (m.metric - base) / base;
    return { r, drop, max: m.variant.maxDrop ?? 0 };
  });
  items.push({
    target: "uint8 accuracy-aware stays within its drop",
    met: aware.every((x) => x.drop <= x.max + 1e-9),
    detail: aware
      .map((x) =>
        x.r.metricName === "accuracy"
          ? `${x.r.name} drop ${signed(x.drop * 100)} pt (max ${(x.max * 100).toFixed(1)})`
          : `${x.r.name} mse ${signed(x.drop * 100)}% (max +${(x.max * 100).toFixed(1)}%)`,
      )
      .join(", "),
  });
  const structured = reports
    .filter((r) => r.name === "tabular-mlp" || r.name === "digits-cnn")
    .map((r) => {
      const m = row(r, "structured-50-ft");
      return {
        r,
        speed: throughputRatio(r, m),
        loss: -metricChange(r, m),
      };
    });
  items.push({
    target:
      "structured 50% + fine-tuning: throughput @32 ≥ 1.6× and accuracy ≤ 1 point lower (tabular MLP, digits CNN)",
    met: structured.every((x) => x.speed >= 1.6 && x.loss <= 1 + 1e-9),
    detail: structured.map((x) => `${x.r.name} ${x.speed.toFixed(2)}×, ${signed(-x.loss)} pt`).join(", "),
  });
  const mags = reports.flatMap((r) =>
    r.rows.filter((m) => m.sparsity).map((m) => ({ r, m, exact: m.sparsity?.exact === true })),
  );
  items.push({
    target: "magnitude-pruned models keep exact sparsity after fine-tuning",
    met: mags.every((x) => x.exact),
    detail:
      `${mags.filter((x) => x.exact).length}/${mags.length} exact` +
      (mags.some((x) => !x.exact)
        ? `; not: ${mags
            .filter((x) => !x.exact)
            .map((x) => `${x.r.name} ${x.m.variant.key}`)
            .join(", ")}`
        : ""),
  });
  const spreads = reports.flatMap((r) => r.rows.map((m) => ({ r, m, s: p50Spread(m) })));
  const worst = spreads.reduce((a, b) => (b.s > a.s ? b : a));
  const over = spreads.filter((x) => x.s > 0.05);
  items.push({
    target: "spread of p50 between rounds ≤ 5%",
    met: over.length === 0,
    detail:
      `${spreads.length - over.length}/${spreads.length} versions within; worst ${worst.r.name} ${worst.m.variant.key} ${(worst.s * 100).toFixed(1)}% ` +
      `(p50s ${worst.m.p50s.map((p) => p.toFixed(4)).join(", ")} ms)` +
      (over.length > 0
        ? `; over 5%: ${over.map((x) => `${x.r.name} ${x.m.variant.key} ${(x.s * 100).toFixed(1)}%`).join(", ")}`
        : ""),
  });
  const digits = reports.find((r) => r.name === "digits-cnn");
  if (digits) {
    const t = row(digits, "structured-50-ft-uint8").variant.transformSeconds;
    items.push({
      target: "digits CNN: structured prune → 2 epochs fine-tune → uint8 ≤ 60 s end to end",
      met: t <= 60,
      detail: `${t.toFixed(1)} s`,
    });
  }
  return items;
}

export function checklistText(items: CheckItem[]): string {
  return items
    .map((i) => `- [${i.met ? "x" : " "}] ${i.met ? "MET" : "NOT MET"}: ${i.target} — ${i.detail}`)
    .join("\n");
}

export interface RunInfo {
  command: string;
  dateUtc: string;
  backend: string;
  tfjsVersion: string;
  seconds: number;
  rounds: number;
  minTimeMs: number;
  price: string;
  /** Measurements repeated because other processes were busy, and those kept although they were. */
  repeated: number;
  disturbed: number;
  maxOtherCores: number;
  /** Time of a fixed single-threaded loop before each measurement: how fast the CPU was. */
  cpuProbeMs: { min: number; median: number; max: number };
}

function machine(): string {
  const cpu = cpus();
  return `${osType()} ${release()}, ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${cpu.length} cores, Node ${process.version}`;
}

export function section(info: RunInfo, reports: ModelReport[], items: CheckItem[]): string {
  const lines = [
    "## packages/ml",
    "",
    `Command: \`${info.command}\` (from the repository root; same as \`npm run bench --workspace @costgate/ml\`)`,
    `Date (UTC): ${info.dateUtc}  `,
    `Machine: ${machine()}  `,
    `Backend: tfjs ${info.tfjsVersion} on \`${info.backend}\`  `,
    `Run time: ${info.seconds.toFixed(0)} s`,
    "",
    "How it was measured:",
    "- Each version is written to disk (model.json + shards) and loaded back with `loadModel`, so quantized",
    "  weights are decoded exactly as in production. The metric is measured on the model's evaluation CSV",
    "  (accuracy for classifiers, mse for the regression; its change is in points, or % for mse).",
    `- Latency and throughput: \`measureCost\` (warm-up, then ≥ ${info.minTimeMs / 1000} s of batch-1 runs and half that of batch-32`,
    `  runs), ${info.rounds} rounds interleaved over all versions of a model after a warm-up of every version; the`,
    "  table shows the median of the rounds; the throughput ratio is the median over rounds of the ratio to",
    "  the original measured in the same round. p50 spread = coefficient of variation of the per-round p50s",
    "  (what `measureCost` reports as `spread`); in brackets the range, (max − min) / median.",
    `- The machine is shared: a measurement during which other processes used more than ${info.maxOtherCores} of a core`,
    `  (Linux /proc/stat minus this process's CPU time) was repeated after a pause: ${info.repeated} repeated,`,
    `  ${info.disturbed} kept although still disturbed after 5 tries.`,
    `- CPU probe (the same fixed JavaScript loop before every measurement): min ${info.cpuProbeMs.min.toFixed(0)} ms, median`,
    `  ${info.cpuProbeMs.median.toFixed(0)} ms, max ${info.cpuProbeMs.max.toFixed(0)} ms: how much the speed of this virtual`,
    "  machine's CPU varied during the run (invisible as steal time or as other processes).",
    `- $/1M = $${info.price}/h (AWS c7i.large) / (samples/s at batch 32 × 3600) × 1e6. Measured on this machine, not on a c7i.large.`,
    '- File bytes = model.json + weight files; "weights ratio" compares the weight files only (what',
    "  quantization shrinks; model.json is a few KB of topology that does not shrink).",
    "- Fine-tuning after pruning: SGD with momentum with the reference training recipe, 2 epochs (digits CNN,",
    "  linear), 4 (tabular MLP), 30 (iris, 105 rows). Accuracy-aware quantization is calibrated on the",
    "  evaluation set (the set the product gates on), max drop 0.3 points (classifiers) or +1% mse.",
    "- Transform time: the prune / fine-tune / quantize computation, disk writes excluded.",
    "",
  ];
  for (const r of reports) {
    lines.push(
      `### ${r.name}`,
      "",
      `${r.description}. Metric: ${r.metricName}.`,
      "",
      modelTable(r),
      "",
      ...modelNotes(r),
      "",
    );
  }
  lines.push("### Target checklist", "", checklistText(items), "");
  return lines.join("\n");
}

/** Replaces the "## packages/ml" section of the doc (up to the next "## " heading), keeping the rest. */
function replaceSection(doc: string, sectionText: string): string {
  const lines = doc.split("\n");
  const start = lines.findIndex((l) => l.trim() === "## packages/ml");
  const body = sectionText.trimEnd().split("\n");
  if (start === -1) {
    const base =
      doc.trim() === ""
        ? ["# Benchmarks", ""]
        : [...lines.slice(0, lines.length - (lines[lines.length - 1] === "" ? 1 : 0)), ""];
    return [...base, ...body, ""].join("\n");
  }
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end === -1) end = lines.length;
  const after = lines.slice(end);
  return [...lines.slice(0, start), ...body, ...(after.length > 0 ? ["", ...after] : [""])].join("\n");
}

export async function writeDocSection(path: string, sectionText: string): Promise<void> {
  let doc: string;
  try {
    doc = await readFile(path, "utf8");
  } catch {
    doc = "";
  }
  await writeFile(path, replaceSection(doc, sectionText));
}
