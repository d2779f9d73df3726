/**
 * The measured cost of running a model on this machine's tfjs backend.
 *
 * Method (docs/ARCHITECTURE.md, "How cost is measured"): warm-up, then rounds. Each round
 * times batch-1 runs (latency) and batch runs at the profile's batch size (throughput); rounds
 * continue until a minimum number of rounds, runs and time are reached. A round during which
 * other processes used more than `maxOtherCores` of CPU (Linux /proc/stat) is discarded and run
 * again. Throughput is the geometric mean of the rounds' throughputs; its uncertainty is the
 * relative half-width of the 95% t-interval of the mean log throughput. On single-threaded
 * backends throughput is timed by the process's CPU time (see clockFor).
 *
 * Speed normalisation (speed-reference.ts): with `speed`, a fixed reference workload is timed in
 * every round beside the model(s) (A R B, B R A, ...); each round's throughput and latencies are
 * scaled by (calibrated reference throughput / that round's reference throughput), so a
 * measurement reports the model's cost on its hardware profile at the speed the profile was
 * calibrated at, not at the speed the shared machine happened to run at that minute. Without a
 * calibration the reference is still timed and reported, to make one.
 *
 * A candidate is compared with its parent in one session: rounds alternate between them
 * (A B, B A, A B, ...) so drift of the machine's speed falls on both; the throughput ratio is
 * the median of the paired per-round ratios, its interval the sign test's distribution-free
 * 95% interval of that median (medianInterval), widened to at least ±5%; the saving is
 * significant only when the interval excludes 1.
 *
 *   costPerMillionUsd = hourlyPriceUsd / (throughputPerSecond x 3600) x 1e6
 */
import Decimal from "decimal.js";
import { initBackend, type BackendName } from "./backend.ts";
import { modelInputShape } from "./dataset.ts";
import { MlError } from "./errors.ts";
import { inspectModel } from "./inspect.ts";
import { modelFileSize, modelFromArtifacts, readModelArtifacts } from "./model-io.ts";
import { otherCores, snapshot } from "./machine-load.ts";
import { createRandom } from "./random.ts";
import { REFERENCE_INPUT_SHAPE, REFERENCE_WORKLOAD, buildSpeedReference } from "./speed-reference.ts";
import { tf } from "./tf.ts";

export interface MeasureCostOptions {
  /** Price of the hardware per hour in USD, e.g. "0.0416" (a string keeps it exact). */
  hourlyPriceUsd: string | number;
  /** Batch size of the throughput measurement (default 32). */
  batchSize?: number;
  /** Minimum timed batch-1 runs over all rounds (default 50). */
  minRuns?: number;
  /** Minimum timed time per model over all rounds, ms (default 1000): half batch-1 runs, half batch runs. */
  minTimeMs?: number;
  /** Untimed runs first (default 10)... */
  warmupRuns?: number;
  /** ...lasting at least this long, ms (default 500: the first second of a process runs up to 2x slower, JIT). */
  warmupMs?: number;
  /** Minimum rounds (default 10); more run until minRuns and minTimeMs are reached. */
  rounds?: number;
  /** A round during which other processes used more CPU than this (cores) is run again (default 0.5). */
  maxOtherCores?: number;
  /** How many disturbed rounds are run again at most, per model (default 2 x rounds); later ones count. */
  maxRepeats?: number;
  /** Smallest relative half-width a measurement's interval is given (default 0.01): session-to-session effects the rounds cannot see. */
  minRelativeUncertainty?: number;
  /**
   * Smallest relative half-width a comparison's interval is given (default 0.05): a difference
   * of less than 5% between a candidate and its parent is never reported as a saving (effects of
   * memory placement and order that pairing does not cancel).
   */
  minRelativeDifference?: number;
  /** What times throughput: the process's CPU time (default on wasm and cpu) or wall time (default on tfjs-node). */
  clock?: "cpu" | "wall";
  /** The model's files: adds file size and load time (read + parse + decode). */
  modelJsonPath?: string;
  /** Seed of the random inputs (default 0). */
  seed?: number;
  /**
   * Time the speed reference in every round. With `calibratedThroughput` (the reference's
   * samples/s at this batch size on the profile's hardware, from its calibration), throughput
   * and latencies are normalised to that speed; without it they are raw and the reference's own
   * throughput is reported (what a calibration is made of).
   */
  speed?: { calibratedThroughput?: number | null };
}

/** How fast the machine ran during a measurement, against its calibration (speed-reference.ts). */
interface SpeedNormalisation {
  /** REFERENCE_WORKLOAD of the reference timed. */
  workload: string;
  /** The reference's samples/s at the batch size during this measurement (geometric mean of rounds). */
  referenceThroughputPerSecond: number;
  /** The calibration the measurement is normalised to; null when it was not (no calibration). */
  calibratedThroughputPerSecond: number | null;
  /** referenceThroughput / calibratedThroughput: 0.8 = the machine ran at 80% of its calibrated speed. */
  speedFactor: number | null;
  /** The model's throughput before normalisation, samples/s. */
  rawThroughputPerSecond: number;
}

interface LatencyStats {
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
  /** Relative half-width of the 95% interval of throughputPerSecond (0.03 = plus or minus 3%). */
  uncertainty: number;
  /** Rounds discarded and run again because other processes used the CPU meanwhile. */
  disturbedRounds: number;
  /** What timed throughput: this process's CPU time or wall time. */
  clock: "cpu" | "wall";
  /** Peak tensor bytes of one inference at `batchSize`: weights + input + the largest transient. */
  peakMemoryBytes: number;
  fileSizeBytes: number | null;
  /** Median of 3 loads from files (read + parse + decode + build), ms. */
  loadTimeMs: number | null;
  macs: number;
  hourlyPriceUsd: string;
  /** Decimal string with 6 decimals. */
  costPerMillionUsd: string;
  /** The speed reference timed beside the model, and the normalisation applied; null without `speed`. */
  speed: SpeedNormalisation | null;
}

/** Percentile by linear interpolation between closest ranks (q in [0, 1]). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function latencyStats(samples: readonly number[]): LatencyStats {
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
export function parseUsd(value: string | number, name = "hourlyPriceUsd"): Decimal {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    throw new MlError(
      "BAD_PARAM",
      `${name} must be a non-negative decimal amount like "0.0416", got ${JSON.stringify(value)}`,
    );
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
    throw new MlError(
      "BAD_PARAM",
      `throughput must be a positive number of samples per second, got ${throughputPerSecond}`,
    );
  }
  const perHour = new Decimal(throughputPerSecond).times(3600);
  return price.div(perHour).times(1_000_000).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed(6);
}

function positiveInt(name: string, v: number | undefined, fallback: number, allowZero = false): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < (allowZero ? 0 : 1)) {
    throw new MlError("BAD_PARAM", `${name} must be a whole number ${allowZero ? ">= 0" : ">= 1"}, got ${String(v)}`);
  }
  return x;
}

function randomInput(shape: number[], seed: number): tf.Tensor {
  const rnd = createRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rnd.normal();
  return tf.tensor(data, shape, "float32");
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

/** Two-sided 95% critical values of Student's t for 1..30 degrees of freedom (then the normal's). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
export const t95 = (df: number): number => (df < 1 ? Number.POSITIVE_INFINITY : (T95[df - 1] ?? 1.96));

/** Mean and 95% t-interval half-width of a sample (half-width infinite for fewer than 2 values). */
export function meanInterval(xs: readonly number[]): { mean: number; halfWidth: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, halfWidth: Number.POSITIVE_INFINITY };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, halfWidth: (t95(n - 1) * Math.sqrt(variance)) / Math.sqrt(n) };
}

/**
 * The median of a sample and a distribution-free interval of at least 95% for it (order
 * statistics of the sign test): with n values, [x(k), x(n+1-k)] for the largest k with
 * P(Binomial(n, 1/2) < k) <= 2.5%. A burst of load that spoils one round moves it by one rank,
 * not by its size. Fewer than 6 values give an unbounded interval.
 */
export function medianInterval(xs: readonly number[]): { median: number; low: number; high: number } {
  const s = [...xs].sort((p, q) => p - q);
  const n = s.length;
  const median = n === 0 ? Number.NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  let k = 0;
  let tail = 0;
  let choose = 1; // C(n, i)
  for (let i = 0; i < n; i++) {
    tail += choose / 2 ** n;
    if (tail > 0.025) break;
    k = i + 1;
    choose = (choose * (n - i)) / (i + 1);
  }
  if (k === 0) return { median, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY };
  return { median, low: s[k - 1]!, high: s[n - k]! };
}

/** A candidate's throughput against its parent's from one interleaved session. */
interface CostComparison {
  /** candidate throughput / parent throughput. */
  throughputRatio: number;
  /** 95% interval of throughputRatio. */
  low: number;
  high: number;
  /** false when the interval contains 1: no measurable saving (or loss). */
  significant: boolean;
  /** Paired rounds the interval is computed from. */
  rounds: number;
}

export interface ComparedCost {
  candidate: CostMeasurement;
  parent: CostMeasurement;
  comparison: CostComparison;
}

interface Settings {
  price: Decimal;
  batchSize: number;
  minRuns: number;
  minTimeMs: number;
  warmupRuns: number;
  warmupMs: number;
  rounds: number;
  maxOtherCores: number;
  maxRepeats: number;
  minRel: number;
  minDiff: number;
  seed: number;
  clock: "cpu" | "wall";
  /** Time the speed reference; normalise to `calibrated` when it is a number. */
  speed: { calibrated: number | null } | null;
}

/**
 * Throughput is timed by the process's CPU time on single-threaded backends (wasm, cpu): time
 * the process spent descheduled, because other work shared the core, does not count, as it
 * would not on the dedicated hardware the profile prices. tfjs-node runs several threads, so
 * there it is wall time.
 */
const clockFor = (backend: BackendName): "cpu" | "wall" => (backend === "tensorflow" ? "wall" : "cpu");

function settingsOf(opts: MeasureCostOptions, backend: BackendName): Settings {
  const price = parseUsd(opts.hourlyPriceUsd);
  const nonNegative = (name: string, v: number | undefined, fallback: number) => {
    const x = v ?? fallback;
    if (!(Number.isFinite(x) && x >= 0)) throw new MlError("BAD_PARAM", `${name} must be >= 0, got ${String(v)}`);
    return x;
  };
  const rounds = positiveInt("rounds", opts.rounds, 10);
  return {
    price,
    batchSize: positiveInt("batchSize", opts.batchSize, 32),
    minRuns: positiveInt("minRuns", opts.minRuns, 50),
    minTimeMs: nonNegative("minTimeMs", opts.minTimeMs, 1000),
    warmupRuns: positiveInt("warmupRuns", opts.warmupRuns, 10, true),
    warmupMs: nonNegative("warmupMs", opts.warmupMs, 500),
    rounds,
    maxOtherCores: nonNegative("maxOtherCores", opts.maxOtherCores, 0.5),
    maxRepeats: positiveInt("maxRepeats", opts.maxRepeats, 2 * rounds, true),
    minRel: nonNegative("minRelativeUncertainty", opts.minRelativeUncertainty, 0.01),
    minDiff: nonNegative("minRelativeDifference", opts.minRelativeDifference, 0.05),
    seed: opts.seed ?? 0,
    clock: opts.clock ?? clockFor(backend),
    speed: opts.speed ? { calibrated: calibrationOf(opts.speed.calibratedThroughput) } : null,
  };
}

function calibrationOf(v: number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (!(Number.isFinite(v) && v > 0)) {
    throw new MlError("BAD_PARAM", `speed.calibratedThroughput must be a positive number of samples/s, got ${v}`);
  }
  return v;
}

/**
 * The speed reference under measurement (speed-reference.ts): its own small batch, timed
 * between chunks of the model's batch runs.
 */
class Reference {
  readonly model = buildSpeedReference();
  readonly x = randomInput([REFERENCE_BATCH, ...REFERENCE_INPUT_SHAPE], 17);
  /** CPU ms of the last batch (what a chunk of the model's batches is balanced against). */
  lastMs = 0;
  /** CPU ms and batches timed in kept rounds (the session's reference throughput). */
  keptMs = 0;
  keptBatches = 0;

  warmUp(s: Settings): void {
    const start = performance.now();
    for (let i = 0; i < s.warmupRuns || performance.now() - start < s.warmupMs / 2; i++) this.time(s.clock);
  }

  /** One timed batch, ms by the session's clock (as the model's batches are timed). */
  time(clock: "cpu" | "wall"): number {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    runOnce(this.model, this.x);
    const cpu = process.cpuUsage(cpu0);
    this.lastMs = Math.max(clock === "cpu" ? (cpu.user + cpu.system) / 1000 : performance.now() - t0, 1e-3);
    return this.lastMs;
  }

  /** Samples per second of the reference over the kept rounds. */
  get throughputPerSecond(): number {
    return (this.keptBatches * REFERENCE_BATCH) / (this.keptMs / 1000);
  }

  dispose(): void {
    this.x.dispose();
    this.model.dispose();
  }
}

/** Samples in one batch of the speed reference (fixed: a calibration is per workload, not per batch size). */
const REFERENCE_BATCH = 8;
/** The reference's time after a chunk of the model's batches, at least, as a share of the chunk's. */
const REFERENCE_SHARE = 0.25;

/** One model under measurement: its inputs and what its rounds recorded. */
class Subject {
  readonly x1: tf.Tensor;
  readonly xb: tf.Tensor;
  /** Batch-1 latencies of each kept round, ms. */
  readonly roundLatencies: number[][] = [];
  /** Samples/s at the batch size of each kept round, as timed. */
  readonly roundThroughput: number[] = [];
  /**
   * With a reference: each kept round's median over its chunks of (the model's time per batch /
   * the reference's time per batch right after it) — the model's cost in units of the reference,
   * which the machine's speed of the moment divides out of.
   */
  readonly roundRelativeTime: number[] = [];
  batchRuns = 0;
  timedMs = 0;
  disturbed = 0;
  private last: { batchRuns: number; ms: number; referenceMs: number; referenceBatches: number } | null = null;

  constructor(
    readonly model: tf.LayersModel,
    shape: number[],
    s: Settings,
  ) {
    this.x1 = randomInput([1, ...shape], s.seed);
    this.xb = randomInput([s.batchSize, ...shape], s.seed + 1);
  }

  get runs(): number {
    return this.roundLatencies.reduce((a, r) => a + r.length, 0);
  }

  warmUp(s: Settings): void {
    const start = performance.now();
    for (let i = 0; i < s.warmupRuns || performance.now() - start < s.warmupMs; i++) {
      runOnce(this.model, this.x1);
      if (i % 5 === 0) runOnce(this.model, this.xb);
    }
  }

  /**
   * One round: batch-1 latencies, then batch throughput — with a reference, in chunks of the
   * model's batch runs each followed by reference batches (a chunk lasts at least as long as a
   * reference batch, the reference at least a quarter of the chunk, so the two are timed over
   * the same stretch of the machine's speed). False (and nothing kept) when
   * other processes used the CPU meanwhile.
   */
  round(s: Settings, reference: Reference | null, keepDisturbed: boolean): boolean {
    const perRoundRuns = Math.ceil(s.minRuns / s.rounds);
    const perRoundMs = s.minTimeMs / s.rounds;
    const before = snapshot();
    const latencies: number[] = [];
    let spent = 0;
    while (latencies.length < perRoundRuns || spent < perRoundMs / 2) {
      const t0 = performance.now();
      runOnce(this.model, this.x1);
      const dt = performance.now() - t0;
      latencies.push(dt);
      spent += dt;
    }
    let n = 0;
    let ms = 0;
    let busyMs = 0;
    const relative: number[] = [];
    let referenceMs = 0;
    let referenceBatches = 0;
    while (n < 3 || ms < perRoundMs / 2) {
      let chunkRuns = 0;
      let chunkCpu = 0;
      do {
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        runOnce(this.model, this.xb);
        const cpu = process.cpuUsage(cpu0);
        ms += performance.now() - t0;
        // Single-threaded backends: the process's CPU time leaves out the time it was descheduled.
        chunkCpu += s.clock === "cpu" ? (cpu.user + cpu.system) / 1000 : performance.now() - t0;
        chunkRuns++;
        n++;
      } while (reference && chunkCpu < reference.lastMs);
      busyMs += chunkCpu;
      if (reference) {
        // The reference runs for a quarter of the chunk's time at least (one batch at least), so
        // it samples the machine's speed over the same stretch, not over a few milliseconds of a
        // large model's second-long batch.
        let r = 0;
        let batches = 0;
        do {
          r += reference.time(s.clock);
          batches++;
        } while (r < chunkCpu * REFERENCE_SHARE);
        referenceMs += r;
        referenceBatches += batches;
        relative.push(chunkCpu / chunkRuns / (r / batches));
      }
    }
    if (!keepDisturbed && otherCores(before) > s.maxOtherCores) {
      this.disturbed++;
      return false;
    }
    this.roundLatencies.push(latencies);
    this.roundThroughput.push((n * s.batchSize) / (Math.max(busyMs, 1e-3) / 1000));
    if (reference) {
      this.roundRelativeTime.push(medianInterval(relative).median);
      reference.keptMs += referenceMs;
      reference.keptBatches += referenceBatches;
    }
    this.batchRuns += n;
    this.timedMs += spent + ms;
    this.last = { batchRuns: n, ms: spent + ms, referenceMs, referenceBatches };
    return true;
  }

  /** Forgets the last kept round (its partner's part of the round was disturbed). */
  dropLastRound(reference: Reference | null): void {
    if (!this.last) return;
    this.roundThroughput.pop();
    this.roundLatencies.pop();
    if (reference) {
      this.roundRelativeTime.pop();
      reference.keptMs -= this.last.referenceMs;
      reference.keptBatches -= this.last.referenceBatches;
    }
    this.batchRuns -= this.last.batchRuns;
    this.timedMs -= this.last.ms;
    this.last = null;
  }

  dispose(): void {
    tf.dispose([this.x1, this.xb]);
  }
}

/** Runs the rounds of a session over one or two models, alternating their order round by round. */
async function runSession(subjects: Subject[], reference: Reference | null, s: Settings): Promise<void> {
  reference?.warmUp(s);
  for (const subject of subjects) subject.warmUp(s);
  const enough = () =>
    subjects.every((x) => x.roundThroughput.length >= s.rounds && x.runs >= s.minRuns && x.timedMs >= s.minTimeMs);
  for (let r = 0; !enough(); r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse();
    // A round is kept only when every subject's part of it was undisturbed, so pairs stay paired.
    const kept = order.map((subject) => subject.round(s, reference, subject.disturbed >= s.maxRepeats));
    if (kept.some((k) => !k)) order.forEach((subject, i) => kept[i] && subject.dropLastRound(reference));
    // let timers and I/O of the host process run between rounds
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const geometricMean = (xs: readonly number[]): number => Math.exp(meanInterval(xs.map(Math.log)).mean);

async function summarize(
  subject: Subject,
  reference: Reference | null,
  s: Settings,
  modelJsonPath: string | undefined,
  backend: BackendName,
): Promise<CostMeasurement> {
  const calibrated = reference ? (s.speed?.calibrated ?? null) : null;
  // At the calibrated speed, a batch takes (its time in reference units) x (the reference's
  // calibrated time per batch); each round's speed factor is what it measured over that.
  const throughputs =
    calibrated === null
      ? subject.roundThroughput
      : subject.roundRelativeTime.map((rel) => (calibrated * s.batchSize) / REFERENCE_BATCH / rel);
  const speeds = subject.roundThroughput.map((t, i) => t / throughputs[i]!);
  const latencyRounds = subject.roundLatencies.map((ls, i) => ls.map((l) => l * speeds[i]!));
  const { mean, halfWidth } = meanInterval(throughputs.map(Math.log));
  const throughputPerSecond = Math.exp(mean);
  const uncertainty = Math.max(s.minRel, Number.isFinite(halfWidth) ? Math.expm1(halfWidth) : 1);
  const { model, xb } = subject;
  // tf.profile's peak is engine-wide: keep only what this inference adds to the weights and input
  const bytesBefore = tf.memory().numBytes;
  const profile = await tf.profile(() => runOnce(model, xb));
  const weightBytes = model.weights.reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1) * 4, 0);
  const peakMemoryBytes = weightBytes + xb.size * 4 + Math.max(0, profile.peakBytes - bytesBefore);
  const referenceThroughput = reference ? reference.throughputPerSecond : null;
  return {
    backend,
    latencyMs: latencyStats(latencyRounds.flat()),
    throughputPerSecond,
    batchSize: s.batchSize,
    runs: subject.runs,
    batchRuns: subject.batchRuns,
    rounds: subject.roundThroughput.length,
    spread: coefficientOfVariation(latencyRounds.map((ls) => latencyStats(ls).p50)),
    uncertainty,
    disturbedRounds: subject.disturbed,
    clock: s.clock,
    peakMemoryBytes,
    fileSizeBytes: modelJsonPath ? await modelFileSize(modelJsonPath) : null,
    loadTimeMs: modelJsonPath ? await measureLoad(modelJsonPath) : null,
    macs: inspectModel(model).macs,
    hourlyPriceUsd: s.price.toString(),
    costPerMillionUsd: costPerMillion(s.price.toString(), throughputPerSecond),
    speed:
      referenceThroughput === null
        ? null
        : {
            workload: REFERENCE_WORKLOAD,
            referenceThroughputPerSecond: referenceThroughput,
            calibratedThroughputPerSecond: calibrated,
            speedFactor: calibrated === null ? null : referenceThroughput / calibrated,
            rawThroughputPerSecond: geometricMean(subject.roundThroughput),
          },
  };
}

/** Measures one model's cost on this machine (see the method at the top of this file). */
export async function measureCost(model: tf.LayersModel, opts: MeasureCostOptions): Promise<CostMeasurement> {
  const backend = await initBackend();
  const s = settingsOf(opts, backend);
  const subject = new Subject(model, modelInputShape(model), s);
  const reference = s.speed ? new Reference() : null;
  try {
    await runSession([subject], reference, s);
    return await summarize(subject, reference, s, opts.modelJsonPath, backend);
  } finally {
    subject.dispose();
    reference?.dispose();
  }
}

/**
 * Measures a candidate and its parent interleaved in one session: both costs, and the
 * candidate's throughput ratio to its parent with its 95% interval (paired per-round log ratios).
 */
export async function compareCost(
  candidate: tf.LayersModel,
  parent: tf.LayersModel,
  opts: MeasureCostOptions & { parentModelJsonPath?: string },
): Promise<ComparedCost> {
  const backend = await initBackend();
  const s = settingsOf(opts, backend);
  const shape = modelInputShape(candidate);
  const parentShape = modelInputShape(parent);
  if (shape.join("x") !== parentShape.join("x")) {
    throw new MlError(
      "BAD_PARAM",
      `the candidate's input shape [${shape.join(", ")}] differs from its parent's [${parentShape.join(", ")}]`,
    );
  }
  const a = new Subject(parent, shape, s);
  const b = new Subject(candidate, shape, s);
  const reference = s.speed ? new Reference() : null;
  try {
    await runSession([a, b], reference, s);
    // The speed of a round is the same for both: it cancels in their ratio.
    const diffs = b.roundThroughput.map((tb, i) => Math.log(tb / a.roundThroughput[i]!));
    const { median, low: lowLog, high: highLog } = medianInterval(diffs);
    const margin = Math.log1p(s.minDiff);
    const low = Math.exp(Math.min(lowLog, median - margin));
    const high = Math.exp(Math.max(highLog, median + margin));
    return {
      parent: await summarize(a, reference, s, opts.parentModelJsonPath, backend),
      candidate: await summarize(b, reference, s, opts.modelJsonPath, backend),
      comparison: {
        throughputRatio: Math.exp(median),
        low,
        high: Number.isFinite(high) ? high : Number.MAX_VALUE,
        significant: low > 1 || high < 1,
        rounds: diffs.length,
      },
    };
  } finally {
    a.dispose();
    b.dispose();
    reference?.dispose();
  }
}
