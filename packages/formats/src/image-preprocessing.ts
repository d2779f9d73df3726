/**
 * How pixel bytes 0..255 become model inputs (the contract's ImagePreprocessingInput): scale,
 * then (x - mean[c]) / std[c] per channel when given. Checked by the API when a dataset is
 * registered, applied by @costgate/ml when it reads a batch of decoded images.
 */
import { FormatError } from "./format-error.ts";

type PixelScale = "ZERO_ONE" | "MINUS_ONE_ONE" | "RAW";

export interface ImagePreprocessing {
  scale: PixelScale;
  /** One value per channel, or null. */
  mean: number[] | null;
  /** One value > 0 per channel, or null. */
  std: number[] | null;
}

const SCALES: Record<PixelScale, (v: number) => number> = {
  ZERO_ONE: (v) => v / 255,
  MINUS_ONE_ONE: (v) => v / 127.5 - 1,
  RAW: (v) => v,
};

const bad = (message: string) => new FormatError("BAD_PREPROCESSING", message);

/**
 * The preprocessing as given (scale ZERO_ONE when omitted), checked for images of `channels`
 * channels: mean and std have one finite value per channel, every std > 0.
 */
export function checkImagePreprocessing(
  input: { scale?: string | null; mean?: readonly number[] | null; std?: readonly number[] | null } | null | undefined,
  channels: number,
): ImagePreprocessing {
  const scale = (input?.scale ?? "ZERO_ONE") as PixelScale;
  if (!Object.hasOwn(SCALES, scale))
    throw bad(`scale must be ZERO_ONE, MINUS_ONE_ONE or RAW (got ${JSON.stringify(scale)})`);
  const perChannel = (name: "mean" | "std", values: readonly number[] | null | undefined): number[] | null => {
    if (values === null || values === undefined) return null;
    if (values.length !== channels) {
      throw bad(
        `${name} has ${values.length} value${values.length === 1 ? "" : "s"}, but the model's images have ${channels} channel${channels === 1 ? "" : "s"}: give one per channel`,
      );
    }
    values.forEach((v, c) => {
      if (!Number.isFinite(v)) throw bad(`${name}[${c}] is not a finite number`);
      if (name === "std" && !(v > 0)) throw bad(`std[${c}] is ${v}; every std must be greater than 0`);
    });
    return [...values];
  };
  return { scale, mean: perChannel("mean", input?.mean), std: perChannel("std", input?.std) };
}

/**
 * The model input value of every byte on every channel: table[c * 256 + v]. A batch of HWC bytes
 * becomes inputs by out[i] = table[(i % channels) * 256 + bytes[i]].
 */
export function pixelTable(p: ImagePreprocessing, channels: number): Float32Array {
  const table = new Float32Array(channels * 256);
  const scale = SCALES[p.scale];
  for (let c = 0; c < channels; c++) {
    const mean = p.mean?.[c] ?? 0;
    const std = p.std?.[c] ?? 1;
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (scale(v) - mean) / std;
  }
  return table;
}

/** Writes the inputs of `bytes` (HWC pixels of `channels` channels) into `out` at `offset`. */
export function applyPixelTable(
  bytes: Uint8Array,
  table: Float32Array,
  channels: number,
  out: Float32Array,
  offset = 0,
): void {
  if (channels === 1) {
    for (let i = 0; i < bytes.length; i++) out[offset + i] = table[bytes[i]!]!;
    return;
  }
  for (let i = 0; i < bytes.length; i += 3) {
    out[offset + i] = table[bytes[i]!]!;
    out[offset + i + 1] = table[256 + bytes[i + 1]!]!;
    out[offset + i + 2] = table[512 + bytes[i + 2]!]!;
  }
}
