/**
 * Procedural 28x28 handwritten-style digits: each digit 0-9 is a set of strokes (polylines and
 * elliptic arcs) in a unit box, jittered, rotated, scaled, sheared and shifted at random, drawn
 * with an anti-aliased pen of random width, plus pixel noise. Grey levels in [0, 1], ink = 1.
 */
import type { Random } from "../random.ts";

export const DIGIT_SIZE = 28;

type Pt = [number, number];
/** A stroke: a list of points joined by straight segments. */
type Stroke = Pt[];

/** Elliptic arc; angles in degrees, 0 = right, 90 = down (image coordinates). */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps = 18): Stroke {
  const pts: Stroke = [];
  for (let i = 0; i <= steps; i++) {
    const a = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    pts.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return pts;
}

/** Strokes of each digit in a unit box (x right, y down), roughly MNIST proportions. */
const GLYPHS: ReadonlyArray<() => Stroke[]> = [
  () => [arc(0.5, 0.5, 0.28, 0.4, 0, 360, 28)],
  () => [
    [
      [0.36, 0.24],
      [0.52, 0.1],
      [0.52, 0.9],
    ],
  ],
  () => [[...arc(0.5, 0.33, 0.24, 0.22, -165, 30), [0.24, 0.9], [0.8, 0.9]]],
  () => [arc(0.48, 0.3, 0.22, 0.2, -155, 90), arc(0.48, 0.69, 0.25, 0.21, -90, 150)],
  () => [
    [
      [0.62, 0.9],
      [0.62, 0.1],
      [0.2, 0.64],
      [0.82, 0.64],
    ],
  ],
  () => [[[0.76, 0.1], [0.34, 0.1], [0.3, 0.46], ...arc(0.5, 0.66, 0.25, 0.23, -130, 150)]],
  () => [arc(0.8, 0.64, 0.5, 0.54, -110, -180), arc(0.5, 0.68, 0.21, 0.21, 0, 360, 24)],
  () => [
    [
      [0.2, 0.1],
      [0.8, 0.1],
      [0.42, 0.9],
    ],
  ],
  () => [arc(0.5, 0.29, 0.19, 0.18, 0, 360, 22), arc(0.5, 0.69, 0.24, 0.21, 0, 360, 24)],
  () => [
    arc(0.5, 0.32, 0.22, 0.21, 0, 360, 24),
    [
      [0.72, 0.34],
      [0.66, 0.62],
      [0.58, 0.9],
    ],
  ],
];

interface DigitStyle {
  rotationDeg: number;
  scaleX: number;
  scaleY: number;
  shear: number;
  shiftX: number;
  shiftY: number;
  strokeWidth: number;
  jitter: number;
  noise: number;
}

function randomStyle(rnd: Random): DigitStyle {
  return {
    rotationDeg: rnd.uniform(-14, 14),
    scaleX: rnd.uniform(0.78, 1.08),
    scaleY: rnd.uniform(0.85, 1.08),
    shear: rnd.uniform(-0.25, 0.25),
    shiftX: rnd.uniform(-2.5, 2.5),
    shiftY: rnd.uniform(-2, 2),
    strokeWidth: rnd.uniform(1.6, 3.2),
    jitter: rnd.uniform(0, 0.035),
    noise: rnd.uniform(0.02, 0.12),
  };
}

function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return Math.sqrt(ex * ex + ey * ey);
}

/**
 * Renders one digit into `out` (length 784, row-major) and returns it.
 * The glyph box (unit square) maps to a 20x20 pixel box centred in the image, as in MNIST.
 */
export function renderDigit(digit: number, rnd: Random, out = new Float32Array(DIGIT_SIZE * DIGIT_SIZE)): Float32Array {
  const glyph = GLYPHS[digit];
  if (!glyph) throw new RangeError(`digit must be 0-9, got ${digit}`);
  const s = randomStyle(rnd);
  const rot = (s.rotationDeg * Math.PI) / 180;
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const box = 20;
  const centre = DIGIT_SIZE / 2;
  const strokes = glyph().map((stroke) =>
    stroke.map(([x0, y0]): Pt => {
      const x = x0 + rnd.normal(0, s.jitter) - 0.5;
      const y = y0 + rnd.normal(0, s.jitter) - 0.5;
      const sx = (x + s.shear * y) * s.scaleX * box;
      const sy = y * s.scaleY * box;
      return [centre + s.shiftX + cos * sx - sin * sy, centre + s.shiftY + sin * sx + cos * sy];
    }),
  );
  const half = s.strokeWidth / 2;
  out.fill(0);
  for (const stroke of strokes) {
    for (let k = 0; k + 1 < stroke.length; k++) {
      const [ax, ay] = stroke[k]!;
      const [bx, by] = stroke[k + 1]!;
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - half - 1));
      const x1 = Math.min(DIGIT_SIZE - 1, Math.ceil(Math.max(ax, bx) + half + 1));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - half - 1));
      const y1 = Math.min(DIGIT_SIZE - 1, Math.ceil(Math.max(ay, by) + half + 1));
      for (let py = y0; py <= y1; py++) {
        for (let px = x0; px <= x1; px++) {
          const d = distToSegment(px + 0.5, py + 0.5, ax, ay, bx, by);
          const ink = Math.min(1, Math.max(0, half + 0.5 - d));
          const i = py * DIGIT_SIZE + px;
          if (ink > out[i]!) out[i] = ink;
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) {
    const v = out[i]! + rnd.normal(0, s.noise);
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}
