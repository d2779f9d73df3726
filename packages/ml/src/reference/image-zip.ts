/**
 * Writes rendered images as an image dataset archive, the way people upload them: a zip of PNGs
 * in label folders (`<class name>/<index>.png`, Keras' image_dataset_from_directory convention),
 * or at the top level without labels. Streamed: one image is rendered and encoded at a time.
 */
import { createWriteStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";
import { encodeRgbPng } from "./png.ts";
import { DEFAULT_REFERENCE_SEED } from "./reference-models.ts";
import { SHAPE_CLASSES, shapeImage, type ShapeImage } from "./shape-images.ts";

export async function writeImageZip(
  path: string,
  rows: number,
  image: (index: number) => ShapeImage,
  /** Label folder names by class index; null writes the images unlabeled, at the top level. */
  classNames: readonly string[] | null,
): Promise<{ rows: number; bytes: number }> {
  await mkdir(dirname(path), { recursive: true });
  const zip = new yazl.ZipFile();
  const digits = String(rows - 1).length;
  const written = pipeline(zip.outputStream, createWriteStream(path));
  for (let i = 0; i < rows; i++) {
    const img = image(i);
    const name = `${String(i).padStart(digits, "0")}.png`;
    // PNGs are compressed already: stored, not deflated again.
    zip.addBuffer(
      encodeRgbPng(img.pixels, img.width, img.height),
      classNames ? `${classNames[img.label]}/${name}` : name,
      {
        compress: false,
        mtime: new Date("2026-01-01T00:00:00Z"),
      },
    );
  }
  zip.end();
  await written;
  return { rows, bytes: (await stat(path)).size };
}

/**
 * A zip of `rows` rendered shape images (the reference image models' data) at size x size:
 * in label folders, or unlabeled at the top level. `split` names an independent stream of images
 * (the reference uses "train", "evaluation" and "unlabeled"; a benchmark can ask for more).
 */
export function writeShapeImageZip(
  path: string,
  opts: { rows: number; size: number; split: string; seed?: number; labelled: boolean },
): Promise<{ rows: number; bytes: number }> {
  const seed = opts.seed ?? DEFAULT_REFERENCE_SEED;
  return writeImageZip(
    path,
    opts.rows,
    (i) => shapeImage(seed, opts.split, i, opts.size),
    opts.labelled ? SHAPE_CLASSES : null,
  );
}
