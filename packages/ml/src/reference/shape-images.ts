/**
 * Procedurally rendered colour images of shapes, for the image reference models (MobileNetV2).
 *
 * Each image: a two-colour gradient background, clutter (thin line segments and small dots, some
 * behind and some in front of the object), one object of a class below in a random colour
 * that stands out from the background, at a random position, size and rotation, and pixel
 * noise. Edges are anti-aliased (signed distance functions, one pixel of blur).
 *
 * Scenes are defined in relative coordinates, so image `index` of a split shows the same scene
 * at every resolution (only the pixel noise differs). Pure TypeScript, no native dependencies.
 */
import { createRandom, type Random } from "../random.ts";

export const SHAPE_CLASSES = ["circle", "square", "triangle", "ring", "cross", "stripes"] as const;

export interface ShapeImage {
  /** RGB, row-major, width x height x 3 bytes. */
  pixels: Uint8Array;
  /** Index into SHAPE_CLASSES. */
  label: number;
  width: number;
  height: number;
}

type Rgb = [number, number, number];

interface Scene {
  label: number;
  bg: [Rgb, Rgb];
  /** Unit vector of the background gradient. */
  bgDir: [number, number];
  colour: Rgb;
  cx: number;
  cy: number;
  r: number;
  angle: number;
  stripePeriod: number;
  behind: Clutter[];
  front: Clutter[];
  noise: number;
  noiseSeed: number;
}

interface Clutter {
  kind: "line" | "dot";
  ax: number;
  ay: number;
  bx: number;
  by: number;
  width: number;
  colour: Rgb;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** A random colour with every channel in [lo, hi). */
function randomColour(rnd: Random, lo = 0, hi = 1): Rgb {
  return [rnd.uniform(lo, hi), rnd.uniform(lo, hi), rnd.uniform(lo, hi)];
}

function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function clutter(rnd: Random, kind: "line" | "dot"): Clutter {
  const ax = rnd.uniform(0, 1);
  const ay = rnd.uniform(0, 1);
  if (kind === "dot")
    return { kind, ax, ay, bx: ax, by: ay, width: rnd.uniform(0.015, 0.035), colour: randomColour(rnd, 0.1, 0.8) };
  const len = rnd.uniform(0.15, 0.5);
  const t = rnd.uniform(0, Math.PI);
  return {
    kind,
    ax,
    ay,
    bx: ax + len * Math.cos(t),
    by: ay + len * Math.sin(t),
    width: rnd.uniform(0.004, 0.012),
    colour: randomColour(rnd, 0.1, 0.8),
  };
}

/** The scene of one image: everything random about it, drawn from `rnd`. */
function scene(label: number, rnd: Random): Scene {
  // darker backgrounds, brighter objects: the object stands out in brightness as well as colour
  const bg: [Rgb, Rgb] = [randomColour(rnd, 0, 0.5), randomColour(rnd, 0, 0.5)];
  const t = rnd.uniform(0, 2 * Math.PI);
  let colour = randomColour(rnd, 0.45, 1);
  for (let i = 0; i < 30 && (distance(colour, bg[0]) < 0.55 || distance(colour, bg[1]) < 0.55); i++)
    colour = randomColour(rnd, 0.45, 1);
  const r = rnd.uniform(0.2, 0.32);
  const behind = Array.from({ length: 1 + rnd.int(3) }, () => clutter(rnd, rnd.next() < 0.6 ? "line" : "dot"));
  const front = Array.from({ length: rnd.int(2) }, () => clutter(rnd, "line"));
  return {
    label,
    bg,
    bgDir: [Math.cos(t), Math.sin(t)],
    colour,
    cx: rnd.uniform(r + 0.03, 0.97 - r),
    cy: rnd.uniform(r + 0.03, 0.97 - r),
    r,
    angle: rnd.uniform(0, 2 * Math.PI),
    stripePeriod: r * rnd.uniform(0.35, 0.5),
    behind,
    front,
    noise: rnd.uniform(0.02, 0.05),
    noiseSeed: rnd.seed(),
  };
}

function box(px: number, py: number, hx: number, hy: number): number {
  const qx = Math.abs(px) - hx;
  const qy = Math.abs(py) - hy;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
}

/** Equilateral triangle with half side `h` centred on the origin (Inigo Quilez's SDF). */
function triangle(px: number, py: number, h: number): number {
  const k = Math.sqrt(3);
  let x = Math.abs(px) - h;
  let y = py + h / k;
  if (x + k * y > 0) [x, y] = [(x - k * y) / 2, (-k * x - y) / 2];
  x -= Math.min(Math.max(x, -2 * h), 0);
  return -Math.hypot(x, y) * Math.sign(y);
}

/** Coverage in [0, 1] of the object at (u, v) (relative coordinates), `px` = one pixel. */
function objectCoverage(s: Scene, u: number, v: number, px: number): number {
  const dx = u - s.cx;
  const dy = v - s.cy;
  const c = Math.cos(s.angle);
  const sn = Math.sin(s.angle);
  const x = c * dx + sn * dy;
  const y = -sn * dx + c * dy;
  const r = s.r;
  let d: number;
  switch (SHAPE_CLASSES[s.label]) {
    case "circle":
      d = Math.hypot(x, y) - r;
      break;
    case "square":
      d = box(x, y, r * 0.8, r * 0.8);
      break;
    case "triangle":
      d = triangle(x, y, r * 0.95);
      break;
    case "ring":
      d = Math.abs(Math.hypot(x, y) - r * 0.72) - r * 0.2;
      break;
    case "cross":
      d = Math.min(box(x, y, r, r * 0.28), box(x, y, r * 0.28, r));
      break;
    default: {
      // stripes: a disc of parallel bars
      const disc = Math.hypot(x, y) - r;
      const phase = (((x / s.stripePeriod) % 1) + 1) % 1; // [0, 1)
      const bar = (Math.abs(phase - 0.5) - 0.25) * s.stripePeriod; // < 0 inside a bar
      d = Math.max(disc, bar);
    }
  }
  return clamp01(0.5 - d / px);
}

function clutterCoverage(k: Clutter, u: number, v: number, px: number): number {
  const ex = k.bx - k.ax;
  const ey = k.by - k.ay;
  const len2 = ex * ex + ey * ey;
  const t = len2 === 0 ? 0 : clamp01(((u - k.ax) * ex + (v - k.ay) * ey) / len2);
  const d = Math.hypot(u - k.ax - t * ex, v - k.ay - t * ey) - k.width;
  return clamp01(0.5 - d / px);
}

function blend(out: Float32Array, i: number, colour: Rgb, a: number): void {
  if (a <= 0) return;
  out[i] = out[i]! * (1 - a) + colour[0] * a;
  out[i + 1] = out[i + 1]! * (1 - a) + colour[1] * a;
  out[i + 2] = out[i + 2]! * (1 - a) + colour[2] * a;
}

function paint(s: Scene, size: number): Uint8Array {
  const px = 1 / size;
  const rgb = new Float32Array(size * size * 3);
  const noise = createRandom(s.noiseSeed);
  for (let yy = 0; yy < size; yy++) {
    const v = (yy + 0.5) * px;
    for (let xx = 0; xx < size; xx++) {
      const u = (xx + 0.5) * px;
      const i = (yy * size + xx) * 3;
      const g = clamp01(0.5 + ((u - 0.5) * s.bgDir[0] + (v - 0.5) * s.bgDir[1]) * 0.9);
      for (let c = 0; c < 3; c++) rgb[i + c] = s.bg[0][c]! * (1 - g) + s.bg[1][c]! * g;
      for (const k of s.behind) blend(rgb, i, k.colour, clutterCoverage(k, u, v, px));
      blend(rgb, i, s.colour, objectCoverage(s, u, v, px));
      for (const k of s.front) blend(rgb, i, k.colour, clutterCoverage(k, u, v, px));
    }
  }
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = Math.round(clamp01(rgb[i]! + noise.normal(0, s.noise)) * 255);
  return out;
}

/** Renders one image of class `label` (index into SHAPE_CLASSES) at size x size, drawing from `rnd`. */
function renderShapeImage(label: number, rnd: Random, size: number): ShapeImage {
  if (!Number.isInteger(label) || label < 0 || label >= SHAPE_CLASSES.length) {
    throw new RangeError(`label must be 0-${SHAPE_CLASSES.length - 1}, got ${label}`);
  }
  if (!Number.isInteger(size) || size < 8) throw new RangeError(`size must be an integer >= 8, got ${size}`);
  return { pixels: paint(scene(label, rnd), size), label, width: size, height: size };
}

/**
 * Image `index` of a split (deterministic in seed, split and index; independent of how many
 * images are drawn). Labels are balanced: every run of SHAPE_CLASSES.length consecutive
 * indices (from a multiple of it) holds each class once, in a seeded order.
 */
export function shapeImage(seed: number | string, split: string, index: number, size: number): ShapeImage {
  const k = SHAPE_CLASSES.length;
  const block = Math.floor(index / k);
  const order = createRandom(`${String(seed)}:shapes:${split}:order:${block}`).shuffle(
    Array.from({ length: k }, (_, i) => i),
  );
  return renderShapeImage(order[index % k]!, createRandom(`${String(seed)}:shapes:${split}:${index}`), size);
}

/** Pixel byte -> model input value: v / 255 rounded to 2 decimals (exactly what the CSVs hold). */
export const PIXEL_VALUES: Float32Array = Float32Array.from(
  { length: 256 },
  (_, v) => Math.round((v / 255) * 100) / 100,
);

/** The CSV text of each pixel byte's value ("0", "0.5", "0.47", "1"). */
export const PIXEL_TEXT: readonly string[] = Array.from(PIXEL_VALUES, (f) => String(Math.round(f * 100) / 100));

/** Writes an image's model input values (H x W x 3, channels last) into `out` at `offset`. */
export function pixelsToInput(pixels: Uint8Array, out: Float32Array, offset = 0): void {
  for (let i = 0; i < pixels.length; i++) out[offset + i] = PIXEL_VALUES[pixels[i]!]!;
}
