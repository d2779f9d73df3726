/**
 * Streams image datasets to CSV (header x0..x{N-1},label; one image per row, its H x W x 3
 * values channels last, row by row), one row at a time: the images are rendered as they are
 * written and never held together in memory. A 224x224x3 row is ~0.6 MB of text and its header
 * over 1 MiB.
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { once } from "node:events";
import { dirname } from "node:path";
import { LABEL_COLUMN } from "@costgate/formats";
import { MlError } from "../errors.ts";
import { PIXEL_TEXT } from "./shape-images.ts";

export interface ImageRow {
  /** RGB bytes, H x W x 3. */
  pixels: Uint8Array;
  label: number;
}

/** Writes `rows` images (row i = `image(i)`) as CSV; values as in PIXEL_VALUES (v / 255, 2 decimals). */
export async function writeImageCsv(
  path: string,
  rows: number,
  featureCount: number,
  image: (index: number) => ImageRow,
): Promise<{ rows: number; bytes: number }> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
  let bytes = 0;
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await Promise.race([once(out, "drain"), failed]);
  };
  try {
    const header: string[] = new Array(featureCount + 1);
    for (let i = 0; i < featureCount; i++) header[i] = `x${i}`;
    header[featureCount] = LABEL_COLUMN;
    await write(`${header.join(",")}\n`);
    const cells: string[] = new Array(featureCount + 1);
    for (let r = 0; r < rows; r++) {
      const { pixels, label } = image(r);
      if (pixels.length !== featureCount) {
        throw new MlError(
          "BAD_PARAM",
          `image ${r} has ${pixels.length} values, the CSV has ${featureCount} feature columns`,
        );
      }
      for (let i = 0; i < featureCount; i++) cells[i] = PIXEL_TEXT[pixels[i]!]!;
      cells[featureCount] = String(label);
      await write(`${cells.join(",")}\n`);
    }
    out.end();
    await Promise.race([once(out, "finish"), failed]);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return { rows, bytes };
}
