/**
 * Datasets: CSV files (a header row, numeric feature columns and a `label` column) read as a
 * stream, reshaped to the model's input shape, and seeded splits. The CSV rules are those of
 * @costgate/formats, the ones the API checks uploads by.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { once } from "node:events";
import { LABEL_COLUMN, readCsvDataset } from "@costgate/formats";
import { initBackend } from "./backend.ts";
import type { AnyDataset, AnyInputSet, Dataset, InputSet, Task } from "./dataset-types.ts";
import { describeError, formatChecked, MlError } from "./errors.ts";
import { shuffledIndices } from "./random.ts";
import { tf } from "./tf.ts";

export type { AnyDataset, AnyInputSet, Dataset, InputSet, Task } from "./dataset-types.ts";

export interface LoadCsvOptions {
  /** Shape of one row as the model takes it, e.g. [28, 28, 1] or [40]. */
  inputShape: readonly number[];
  task: Task;
  /** Read at most this many data rows. */
  limit?: number;
}

/** The input shape of one row for a single-input model (batch dimension dropped). */
export function modelInputShape(model: tf.LayersModel): number[] {
  if (model.inputs.length !== 1) {
    throw new MlError("BAD_PARAM", `the model has ${model.inputs.length} inputs; Costgate handles single-input models`);
  }
  const shape = model.inputs[0]!.shape.slice(1);
  if (shape.some((d) => d === null)) {
    throw new MlError(
      "BAD_PARAM",
      `the model's input shape [${shape.map((d) => d ?? "?").join(", ")}] has free dimensions`,
    );
  }
  return shape as number[];
}

function checkInputShape(inputShape: readonly number[]): number {
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new MlError("BAD_PARAM", `inputShape must be a list of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  return inputShape.reduce((a, b) => a * b, 1);
}

/** A Float32Array that grows by doubling (so a dataset of unknown length costs ~2x its size at most). */
class FloatBuffer {
  private data: Float32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  values(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Reads a CSV dataset line by line (never the whole file at once), by the rules of
 * @costgate/formats (readCsvDataset). The label column (`label` in any case) is the target;
 * every other column is a numeric feature, in file order, reshaped to `inputShape`.
 */
export async function loadCsvDataset(path: string, opts: LoadCsvOptions): Promise<Dataset> {
  const { features, labels, rows } = await readCsv(path, opts, true);
  return datasetFromArrays(features, labels, { inputShape: opts.inputShape, task: opts.task, rows });
}

/**
 * Reads the inputs of an UNLABELED CSV (every column a numeric feature, reshaped to
 * `inputShape`). A label column is refused: inputs without labels are what the role promises.
 */
export async function loadCsvInputs(path: string, opts: Omit<LoadCsvOptions, "task">): Promise<InputSet> {
  const { features, rows } = await readCsv(path, { ...opts, task: "classification" }, false);
  await initBackend();
  const featureCount = checkInputShape(opts.inputShape);
  return { xs: tf.tensor(features, [rows, ...opts.inputShape], "float32"), rows, featureCount };
}

async function readCsv(
  path: string,
  opts: LoadCsvOptions,
  labelled: boolean,
): Promise<{ features: Float32Array; labels: Float32Array; rows: number }> {
  const featureCount = checkInputShape(opts.inputShape);
  const { task } = opts;
  if (task !== "classification" && task !== "regression") {
    throw new MlError("BAD_PARAM", `task must be "classification" or "regression", got ${JSON.stringify(task)}`);
  }
  const limit = opts.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) {
    throw new MlError("BAD_PARAM", `limit must be a positive integer, got ${String(opts.limit)}`);
  }

  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 64 * 1024 });
  const opened = new Promise<void>((resolveOpen, reject) => {
    stream.once("open", () => resolveOpen());
    stream.once("error", reject);
  });
  try {
    await opened;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MlError(
      "BAD_DATASET",
      code === "ENOENT" ? `no dataset file at ${path}` : `cannot read ${path}: ${describeError(e)}`,
    );
  }
  const features = new FloatBuffer(Math.max(featureCount, Math.min(featureCount * 256, 1 << 22)));
  const labels = new FloatBuffer();
  let labelIndex = -1;
  let taken = 0;
  let rows: number;
  try {
    const read = readCsvDataset(stream, {
      // No line limit: the file is local, or an upload the API has already bounded by a limit an
      // operator may raise; a limit here could refuse a dataset the API accepted.
      limits: { maxLineBytes: Infinity, maxHeaderBytes: Infinity },
      label: labelled ? "required" : "none",
      onHeader: (header) => {
        labelIndex = header.labelIndex ?? -1;
        const got = header.featureColumns.length;
        if (got !== featureCount) {
          throw new MlError(
            "BAD_DATASET",
            `${path} has ${got} feature columns but the model input [${opts.inputShape.join(", ")}] needs ${featureCount} (expected ${featureCount}, got ${got})`,
          );
        }
      },
      onRow: (values, line, cells) => {
        for (let c = 0; c < values.length; c++) {
          const v = values[c]!;
          if (c !== labelIndex) {
            features.push(v);
            continue;
          }
          if (task === "classification" && (!Number.isInteger(v) || v < 0)) {
            throw new MlError(
              "BAD_DATASET",
              `${path} line ${line}: label ${JSON.stringify(cells[c]!.trim())} is not a class index (0, 1, 2, ...)`,
            );
          }
          labels.push(v);
        }
        return ++taken < limit;
      },
    });
    ({ rows } = await formatChecked(() => read, `${path}: `));
  } catch (e) {
    if (e instanceof MlError) throw e;
    throw new MlError("BAD_DATASET", `cannot read ${path}: ${describeError(e)}`, { cause: e });
  } finally {
    stream.destroy();
  }
  return { features: features.values(), labels: labels.values(), rows };
}

export interface FromArraysOptions {
  inputShape: readonly number[];
  task: Task;
  /** Defaults to labels.length. */
  rows?: number;
}

/** A Dataset from flat feature values (row-major) and one label per row. */
export async function datasetFromArrays(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  opts: FromArraysOptions,
): Promise<Dataset> {
  await initBackend();
  const featureCount = checkInputShape(opts.inputShape);
  const rows = opts.rows ?? labels.length;
  if (rows < 1) throw new MlError("BAD_DATASET", "the dataset has no rows");
  if (labels.length !== rows) throw new MlError("BAD_DATASET", `${labels.length} labels for ${rows} rows`);
  if (features.length !== rows * featureCount) {
    throw new MlError(
      "BAD_DATASET",
      `${features.length} feature values do not make ${rows} rows of ${featureCount} (input shape [${opts.inputShape.join(", ")}])`,
    );
  }
  let maxLabel = -1;
  for (let i = 0; i < rows; i++) {
    const v = labels[i]!;
    if (opts.task === "classification" && (!Number.isInteger(v) || v < 0)) {
      throw new MlError("BAD_DATASET", `label of row ${i + 1} (${v}) is not a class index (0, 1, 2, ...)`);
    }
    if (!Number.isFinite(v)) throw new MlError("BAD_DATASET", `label of row ${i + 1} is not a finite number`);
    maxLabel = Math.max(maxLabel, v);
  }
  const xs = tf.tensor(Float32Array.from(features), [rows, ...opts.inputShape], "float32");
  const ys =
    opts.task === "classification"
      ? tf.tensor1d(Int32Array.from(labels), "int32")
      : tf.tensor2d(Float32Array.from(labels), [rows, 1], "float32");
  return {
    xs,
    ys,
    rows,
    featureCount,
    task: opts.task,
    ...(opts.task === "classification" ? { numClasses: maxLabel + 1 } : {}),
  };
}

function takeRows(ds: Dataset, indices: number[]): Dataset {
  const [xs, ys] = tf.tidy(() => {
    const idx = tf.tensor1d(indices, "int32");
    return [tf.gather(ds.xs, idx), tf.gather(ds.ys, idx)];
  });
  const out: Dataset = { xs, ys, rows: indices.length, featureCount: ds.featureCount };
  if (ds.task !== undefined) out.task = ds.task;
  if (ds.numClasses !== undefined) out.numClasses = ds.numClasses;
  return out;
}

/**
 * Splits rows in a seeded random order: `validation` gets round(rows x fraction) rows, `train`
 * the rest. Both are new tensors; the input dataset is left as it is.
 */
export function splitDataset(
  ds: Dataset,
  fraction: number,
  seed: number | string,
): { train: Dataset; validation: Dataset } {
  if (!(fraction > 0 && fraction < 1))
    throw new MlError("BAD_PARAM", `fraction must be between 0 and 1 (exclusive), got ${fraction}`);
  const rows = ds.xs.shape[0] as number;
  const nVal = Math.round(rows * fraction);
  if (nVal < 1 || nVal > rows - 1) {
    throw new MlError("BAD_PARAM", `a fraction of ${fraction} of ${rows} rows leaves one side empty`);
  }
  const order = shuffledIndices(rows, seed);
  return { validation: takeRows(ds, order.slice(0, nVal)), train: takeRows(ds, order.slice(nVal)) };
}

export function disposeDataset(ds: AnyDataset | AnyInputSet | null | undefined): void {
  if (!ds) return;
  ds.xs.dispose();
  if ("ys" in ds) ds.ys.dispose();
}

/**
 * Writes a CSV with a header (f0..fN-1 unless `columns` given, then `label`), row by row through
 * a stream. `features` is row-major with `featureCount` values per row.
 */
export async function writeCsvDataset(
  path: string,
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  opts: { featureCount: number; columns?: string[]; digits?: number },
): Promise<{ rows: number; bytes: number }> {
  const { featureCount } = opts;
  const rows = labels.length;
  if (features.length !== rows * featureCount) {
    throw new MlError("BAD_PARAM", `${features.length} feature values do not make ${rows} rows of ${featureCount}`);
  }
  const columns = opts.columns ?? Array.from({ length: featureCount }, (_, i) => `f${i}`);
  if (columns.length !== featureCount)
    throw new MlError("BAD_PARAM", `${columns.length} column names for ${featureCount} features`);
  const fmt = (v: number) => {
    if (Number.isInteger(v)) return String(v);
    const s = v.toFixed(opts.digits ?? 5);
    return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  };
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path, { encoding: "utf8" });
  let bytes = 0;
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, "drain");
  };
  await write(`${[...columns, LABEL_COLUMN].join(",")}\n`);
  for (let r = 0; r < rows; r++) {
    const cells: string[] = new Array(featureCount + 1);
    for (let c = 0; c < featureCount; c++) cells[c] = fmt(features[r * featureCount + c]!);
    cells[featureCount] = fmt(labels[r]!);
    await write(`${cells.join(",")}\n`);
  }
  out.end();
  await once(out, "finish");
  return { rows, bytes };
}
