/** A minimal PNG encoder (greyscale and RGB): reference image datasets, and looking at generated images. */
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit PNG of `channels` 1 (greyscale) or 3 (RGB) from row-major bytes. */
function encodePng(bytes: Uint8Array, width: number, height: number, channels: 1 | 3): Buffer {
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(bytes.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : 2; // greyscale or RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** Encodes grey values in [0, 1] (row-major, width x height) as an 8-bit greyscale PNG. */
export function encodeGreyPng(values: ArrayLike<number>, width: number, height: number, invert = false): Buffer {
  const bytes = new Uint8Array(width * height);
  for (let i = 0; i < bytes.length; i++) {
    const v = Math.min(1, Math.max(0, values[i]!));
    bytes[i] = Math.round((invert ? 1 - v : v) * 255);
  }
  return encodePng(bytes, width, height, 1);
}

/** Encodes RGB bytes (row-major, width x height x 3) as an 8-bit RGB PNG. */
export function encodeRgbPng(pixels: Uint8Array, width: number, height: number): Buffer {
  return encodePng(pixels, width, height, 3);
}

/** Tiles equally sized square images into one grid image (values in [0, 1]). */
export function tileImages(
  images: ArrayLike<number>[],
  size: number,
  columns: number,
): { values: Float32Array; width: number; height: number } {
  const rows = Math.ceil(images.length / columns);
  const width = columns * (size + 1) + 1;
  const height = rows * (size + 1) + 1;
  const values = new Float32Array(width * height).fill(0.35);
  images.forEach((img, k) => {
    const ox = 1 + (k % columns) * (size + 1);
    const oy = 1 + Math.floor(k / columns) * (size + 1);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) values[(oy + y) * width + ox + x] = img[y * size + x]!;
  });
  return { values, width, height };
}
