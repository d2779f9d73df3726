/**
 * The decoded form of an image dataset ("image tensors"): what registerDataset writes once (every
 * image decoded, resized to the model's input height and width, converted to its channels) and
 * what workers read batch by batch without decoding again. One file, little-endian:
 *
 *   offset 0   8 bytes   magic "CGIMGT1\n"
 *          8   uint32    rows (images)
 *         12   uint32    height
 *         16   uint32    width
 *         20   uint32    channels (1 or 3)
 *         24   uint32    flags: bit 0 = labelled
 *         28   uint32    0 (reserved)
 *         32   rows x height x width x channels uint8 pixels, row-major, channels last (HWC)
 *          …   rows x int32 class indices (when labelled)
 *
 * Pixels stay bytes (4x smaller than float32); preprocessing (scale, mean, std) is applied when a
 * batch is read (image-preprocessing.ts), so it can change without decoding again.
 */
import { FormatError } from "./format-error.ts";

export const IMAGE_TENSORS_FILE = "images.bin";
export const IMAGE_TENSORS_HEADER_BYTES = 32;
const MAGIC = Buffer.from("CGIMGT1\n", "latin1");

export interface ImageTensorsHeader {
  rows: number;
  height: number;
  width: number;
  channels: 1 | 3;
  labelled: boolean;
}

/** Bytes of one image's pixels. */
export const imageRowBytes = (h: Pick<ImageTensorsHeader, "height" | "width" | "channels">): number =>
  h.height * h.width * h.channels;

/** Where the labels start (the file's length when unlabelled). */
export const labelsOffset = (h: ImageTensorsHeader): number => IMAGE_TENSORS_HEADER_BYTES + h.rows * imageRowBytes(h);

/** The file's whole length. */
export const imageTensorsBytes = (h: ImageTensorsHeader): number => labelsOffset(h) + (h.labelled ? h.rows * 4 : 0);

export function encodeImageTensorsHeader(h: ImageTensorsHeader): Buffer {
  const out = Buffer.alloc(IMAGE_TENSORS_HEADER_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(h.rows, 8);
  out.writeUInt32LE(h.height, 12);
  out.writeUInt32LE(h.width, 16);
  out.writeUInt32LE(h.channels, 20);
  out.writeUInt32LE(h.labelled ? 1 : 0, 24);
  return out;
}

/** Reads a header and checks it against the file's length. Throws BAD_IMAGE_TENSORS saying what is wrong. */
export function decodeImageTensorsHeader(bytes: Uint8Array, fileBytes: number): ImageTensorsHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new FormatError("BAD_IMAGE_TENSORS", `not a decoded image dataset: ${why}`);
  if (buf.length < IMAGE_TENSORS_HEADER_BYTES || !buf.subarray(0, 8).equals(MAGIC))
    throw bad("no image-tensors header");
  const channels = buf.readUInt32LE(20);
  if (channels !== 1 && channels !== 3) throw bad(`${channels} channels (1 or 3 expected)`);
  const h: ImageTensorsHeader = {
    rows: buf.readUInt32LE(8),
    height: buf.readUInt32LE(12),
    width: buf.readUInt32LE(16),
    channels,
    labelled: (buf.readUInt32LE(24) & 1) === 1,
  };
  if (h.rows < 1 || h.height < 1 || h.width < 1) throw bad(`${h.rows} rows of ${h.height}x${h.width}`);
  const expected = imageTensorsBytes(h);
  if (expected !== fileBytes) throw bad(`the header promises ${expected} bytes, the file has ${fileBytes}`);
  return h;
}
