/**
 * Seeded pseudo-random numbers (mulberry32), shared by everything in @costgate/ml that needs
 * randomness: dataset splits, shuffling, weight initialisation seeds, reference data.
 * Same seed, same sequence, on every platform.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Integer uniform in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller), times std plus mean. */
  normal(mean?: number, std?: number): number;
  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[];
  /** A seed for another generator or a tfjs initializer, derived from this stream. */
  seed(): number;
}

/** Hashes any integer or string to a 32-bit seed. */
export function toSeed(seed: number | string): number {
  if (typeof seed === "number" && Number.isInteger(seed)) return seed >>> 0;
  const s = String(seed);
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function createRandom(seed: number | string): Random {
  let state = toSeed(seed);
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rnd: Random = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (n) => Math.floor(next() * n),
    normal(mean = 0, std = 1) {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return mean + std * v;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mean + std * r * Math.cos(2 * Math.PI * v);
    },
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = items[i] as T;
        items[i] = items[j] as T;
        items[j] = tmp;
      }
      return items;
    },
    seed: () => Math.floor(next() * 2 ** 31),
  };
  return rnd;
}

/** Indices 0..n-1 in a seeded random order. */
export function shuffledIndices(n: number, seed: number | string): number[] {
  return createRandom(seed).shuffle(Array.from({ length: n }, (_, i) => i));
}
