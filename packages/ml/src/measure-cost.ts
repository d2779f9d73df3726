/**
 * The measured cost of running a model on this machine's tfjs backend:
 * warm-up, then timed batch-1 runs (until both a minimum count and a minimum time are reached)
 * in several rounds, throughput at a batch size, peak tensor memory, file size and load time.
 *
 *   costPerMillionUsd = hourlyPriceUsd / (throughputPerSecond x 3600) x 1e6
 */
import Decimal from 'decimal.js';
import { initBackend, type BackendName } from './backend.ts';
import { MlError } from './errors.ts';
import { inspectModel } from './inspect.ts';
import { modelFileSize, modelFromArtifacts, readModelArtifacts } from './model-io.ts';
import { createRandom } from './random.ts';
import { tf } from './tf.ts';

export interface MeasureCostOptions {
  /** Price of the hardware per hour in USD, e.g. "0.0416" (a string keeps it exact). */
  hourlyPriceUsd: string | number;
  /** Batch size of the throughput measurement (default 32). */
  batchSize?: number;
  /** Minimum timed batch-1 runs over all rounds (default 50). */
  minRuns?: number;
  /** Minimum time of the timed batch-1 runs over all rounds, ms (default 1000). */
  minTimeMs?: number;
  /** Untimed runs first (default 10)... */
  warmupRuns?: number;
  /** ...lasting at least this long, ms (default 500: the first second of a process runs up to 2x slower, JIT). */
  warmupMs?: number;
  /** Rounds the timed runs are split into; their p50 spread is reported (default 3). */
  rounds?: number;
  /** The model's files: adds file size and load time (read + parse + decode). */
  modelJsonPath?: string;
  /** Seed of the random inputs (default 0). */
  seed?: number;
}

export interface LatencyStats {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export interface CostMeasurement {
  backend: BackendName;
  /** Batch-1 latency, ms. */
  latencyMs: LatencyStats;
  /** Samples per second at `batchSize`. */
  throughputPerSecond: number;
  batchSize: number;
  /** Timed batch-1 runs. */
  runs: number;
  /** Timed batch runs for throughput. */
  batchRuns: number;
  rounds: number;
  /** Coefficient of variation of the per-round batch-1 p50 (0 with one round). */
  spread: number;
  /** Peak tensor bytes of one inference at `batchSize`: weights + input + the largest transient. */
  peakMemoryBytes: number;
  fileSizeBytes: number | null;
  /** Median of 3 loads from files (read + parse + decode + build), ms. */
  loadTimeMs: number | null;
  macs: number;
  hourlyPriceUsd: string;
  /** Decimal string with 6 decimals. */
  costPerMillionUsd: string;
}

/** Percentile by linear interpolation between closest ranks (q in [0, 1]). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(s, 0.5),
    p95: percentile(s, 0.95),
    p99: percentile(s, 0.99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    min: s[0]!,
    max: s[s.length - 1]!,
  };
}

/** Coefficient of variation (population standard deviation / mean). */
export function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (mean === 0) return 0;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
  return Math.sqrt(variance) / mean;
}

/** Parses a non-negative USD amount given as a decimal string or a finite number. */
export function parseUsd(value: string | number, name = 'hourlyPriceUsd'): Decimal {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    throw new MlError('BAD_PARAM', `${name} must be a non-negative decimal amount like "0.0416", got ${JSON.stringify(value)}`);
  }
  return new Decimal(text);
}

/**
 * costPerMillionUsd = hourlyPriceUsd / (throughputPerSecond x 3600) x 1e6, computed in decimal
 * arithmetic and rounded half-up to 6 decimals.
 */
export function costPerMillion(hourlyPriceUsd: string | number, throughputPerSecond: number): string {
  const price = parseUsd(hourlyPriceUsd);
  if (!(Number.isFinite(throughputPerSecond) && throughputPerSecond > 0)) {
    throw new MlError('BAD_PARAM', `throughput must be a positive number of samples per second, got ${throughputPerSecond}`);
  }
  const perHour = new Decimal(throughputPerSecond).times(3600);
  return price.div(perHour).times(1_000_000).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed(6);
}

function positiveInt(name: string, v: number | undefined, fallback: number, allowZero = false): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < (allowZero ? 0 : 1)) {
    throw new MlError('BAD_PARAM', `${name} must be a whole number ${allowZero ? '>= 0' : '>= 1'}, got ${String(v)}`);
  }
  return x;
}

function randomInput(shape: number[], seed: number): tf.Tensor {
  const rnd = createRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rnd.normal();
  return tf.tensor(data, shape, 'float32');
}

/** One synchronous inference whose result is read back, so the time covers the real work. */
function runOnce(model: tf.LayersModel, x: tf.Tensor): void {
  const y = model.predict(x) as tf.Tensor;
  y.dataSync();
  y.dispose();
}

async function measureLoad(modelJsonPath: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const m = await modelFromArtifacts(await readModelArtifacts(modelJsonPath), modelJsonPath);
    times.push(performance.now() - t0);
    m.dispose();
  }
  return latencyStats(times).p50;
}

export async function measureCost(model: tf.LayersModel, opts: MeasureCostOptions): Promise<CostMeasurement> {
  const backend = await initBackend();
  const price = parseUsd(opts.hourlyPriceUsd);
  const batchSize = positiveInt('batchSize', opts.batchSize, 32);
  const minRuns = positiveInt('minRuns', opts.minRuns, 50);
  const minTimeMs = opts.minTimeMs ?? 1000;
  if (!(Number.isFinite(minTimeMs) && minTimeMs >= 0)) throw new MlError('BAD_PARAM', `minTimeMs must be >= 0, got ${String(opts.minTimeMs)}`);
  const warmupRuns = positiveInt('warmupRuns', opts.warmupRuns, 10, true);
  const warmupMs = opts.warmupMs ?? 500;
  if (!(Number.isFinite(warmupMs) && warmupMs >= 0)) throw new MlError('BAD_PARAM', `warmupMs must be >= 0, got ${String(opts.warmupMs)}`);
  const rounds = positiveInt('rounds', opts.rounds, 3);
  if (model.inputs.length !== 1) {
    throw new MlError('BAD_PARAM', `the model has ${model.inputs.length} inputs; Costgate measures single-input models`);
  }
  const rowShape = model.inputs[0]!.shape.slice(1);
  if (rowShape.some((d) => d === null)) {
    throw new MlError('BAD_PARAM', `the model's input shape [${rowShape.map((d) => d ?? '?').join(', ')}] has free dimensions`);
  }
  const shape = rowShape as number[];
  const macs = inspectModel(model).macs;
  const seed = opts.seed ?? 0;

  const x1 = randomInput([1, ...shape], seed);
  const xb = randomInput([batchSize, ...shape], seed + 1);
  try {
    const warmStart = performance.now();
    for (let i = 0; i < warmupRuns || performance.now() - warmStart < warmupMs; i++) {
      runOnce(model, x1);
      if (i % 5 === 0) runOnce(model, xb);
    }

    const perRoundRuns = Math.ceil(minRuns / rounds);
    const perRoundMs = minTimeMs / rounds;
    const batchMinRuns = Math.max(3, Math.ceil(perRoundRuns / 10));
    const samples: number[] = [];
    const roundP50: number[] = [];
    let batchRuns = 0;
    let batchMs = 0;
    for (let r = 0; r < rounds; r++) {
      const round: number[] = [];
      let spent = 0;
      while (round.length < perRoundRuns || spent < perRoundMs) {
        const t0 = performance.now();
        runOnce(model, x1);
        const dt = performance.now() - t0;
        round.push(dt);
        spent += dt;
      }
      samples.push(...round);
      roundP50.push(latencyStats(round).p50);
      // throughput at the batch size, same rule with a tenth of the runs and half the time
      let n = 0;
      let ms = 0;
      while (n < batchMinRuns || ms < perRoundMs / 2) {
        const t0 = performance.now();
        runOnce(model, xb);
        ms += performance.now() - t0;
        n++;
      }
      batchRuns += n;
      batchMs += ms;
      // let timers and I/O of the host process run between rounds
      await new Promise((r2) => setImmediate(r2));
    }
    const throughputPerSecond = (batchRuns * batchSize) / (batchMs / 1000);

    // tf.profile's peak is engine-wide: keep only what this inference adds to the weights and input
    const bytesBefore = tf.memory().numBytes;
    const profile = await tf.profile(() => runOnce(model, xb));
    const weightBytes = model.weights.reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1) * 4, 0);
    const peakMemoryBytes = weightBytes + xb.size * 4 + Math.max(0, profile.peakBytes - bytesBefore);
    const fileSizeBytes = opts.modelJsonPath ? await modelFileSize(opts.modelJsonPath) : null;
    const loadTimeMs = opts.modelJsonPath ? await measureLoad(opts.modelJsonPath) : null;

    return {
      backend,
      latencyMs: latencyStats(samples),
      throughputPerSecond,
      batchSize,
      runs: samples.length,
      batchRuns,
      rounds,
      spread: coefficientOfVariation(roundP50),
      peakMemoryBytes,
      fileSizeBytes,
      loadTimeMs,
      macs,
      hourlyPriceUsd: price.toString(),
      costPerMillionUsd: costPerMillion(price.toString(), throughputPerSecond),
    };
  } finally {
    tf.dispose([x1, xb]);
  }
}
