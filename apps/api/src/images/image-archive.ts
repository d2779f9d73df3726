import { open } from "node:fs/promises";
import { availableParallelism } from "node:os";
import sharp, { type Metadata } from "sharp";
import {
  ArchiveBudget,
  FormatError,
  IMAGE_TENSORS_HEADER_BYTES,
  MAX_LABELS_CSV_BYTES,
  SNIFF_BYTES,
  checkImageDimensions,
  checkImageFile,
  datasetFileKind,
  encodeImageTensorsHeader,
  imageRowBytes,
  labelsOffset,
  planImageArchive,
  readLabelsCsv,
  type ArchiveLimits,
  type ImageArchiveLayout,
  type ImageArchivePlan,
  type ImageTensorsHeader,
} from "@costgate/formats";
import { openArchive, type ArchiveKind } from "./archive-reader.ts";

/**
 * Image datasets on the API's side: an archive checked from disk when it is uploaded, decoded
 * into image tensors (@costgate/formats' image-tensors file) when it is registered. Decoding runs
 * in sharp (libvips on libuv's threads, off the event loop), a few images at a time: memory holds
 * those images and one row of output each, whatever the archive's size.
 */

/** Images decoded at once: sharp runs each on a libuv thread. */
const DECODE_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));

/** What an upload's check learned about an image archive; kept as Artifact.metadata (small). */
export interface ImageArchiveMetadata {
  format: "images";
  archive: ArchiveKind;
  layout: ImageArchiveLayout;
  images: number;
  /** Label folders or labels.csv values with their image counts, by name; null when unlabeled. */
  labels: { name: string; count: number }[] | null;
  /** Smallest, median and largest width and height in pixels. */
  width: { min: number; median: number; max: number };
  height: { min: number; median: number; max: number };
  /** Images per type. */
  types: Partial<Record<"png" | "jpeg" | "webp", number>>;
}

const badImage = (message: string) => new FormatError("BAD_ARCHIVE", message);

/**
 * Decodes one image to `height` x `width` x `channels` bytes (HWC): alpha dropped, converted to
 * sRGB or greyscale, resized by stretching to exactly that size (Keras' image_dataset_from_directory
 * does the same by default). The pixel count is checked from the header before decoding.
 */
async function decodeImage(
  path: string,
  bytes: Buffer,
  size: { height: number; width: number; channels: 1 | 3 },
  limits: ArchiveLimits,
): Promise<{ pixels: Buffer; type: "png" | "jpeg" | "webp"; width: number; height: number }> {
  const type = checkImageFile(path, bytes.subarray(0, SNIFF_BYTES));
  const name = { png: "PNG", jpeg: "JPEG", webp: "WebP" }[type];
  const options = { failOn: "truncated", limitInputPixels: limits.maxImagePixels } as const;
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch (e) {
    throw badImage(`${path} is a truncated or corrupt ${name} image${decoderDetail(e)}`);
  }
  checkImageDimensions(path, meta.width, meta.height, limits);
  try {
    let image = sharp(bytes, options).removeAlpha();
    image = size.channels === 1 ? image.toColourspace("b-w") : image.toColourspace("srgb");
    const { data, info } = await image
      .resize(size.width, size.height, { fit: "fill" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== size.channels) throw new Error(`decoded to ${info.channels} channels`);
    return { pixels: data, type, width: meta.width, height: meta.height };
  } catch (e) {
    throw badImage(`${path} is a truncated or corrupt ${name} image${decoderDetail(e)}`);
  }
}

/**
 * What the decoder said, in parentheses; nothing when it said nothing useful. libvips keeps its
 * messages in one buffer for the whole process: when decodes overlap, a failure can find it
 * emptied by another and sharp answers "Unknown error", which tells a person nothing.
 */
function decoderDetail(e: unknown): string {
  const line = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.trim();
  return line && line !== "Unknown error" ? ` (${line})` : "";
}

/** The archive's layout, and each image's label (null for an unlabeled archive). */
async function readPlan(
  file: string,
  kind: ArchiveKind,
  limits: ArchiveLimits,
): Promise<{ plan: ImageArchivePlan; labels: Map<string, string> | null }> {
  const listing = await openArchive(file, kind, new ArchiveBudget(limits)).list();
  const plan = planImageArchive(listing.files, listing.directories);
  if (plan.layout === "label-folders") return { plan, labels: new Map(plan.images.map((i) => [i.path, i.label!])) };
  if (plan.labelsCsv === null) return { plan, labels: null };
  const csv = plan.labelsCsv;
  let text = "";
  await openArchive(
    file,
    kind,
    new ArchiveBudget({ ...limits, maxFileBytes: Math.min(limits.maxFileBytes, MAX_LABELS_CSV_BYTES) }),
  ).forEach(
    new Set([csv]),
    async (_path, bytes) => {
      datasetFileKind(csv, bytes.subarray(0, SNIFF_BYTES));
      text = bytes.toString("utf8");
    },
    1,
  );
  return { plan, labels: readLabelsCsv(text, plan) };
}

/**
 * Checks an uploaded image archive from disk before anything is published: every entry (paths,
 * links, nested archives, limits), the layout, labels.csv, and every image decoded once (not an
 * image, corrupt, truncated, too many pixels). Throws FormatError saying what is wrong.
 */
export async function validateImageArchive(
  file: string,
  kind: ArchiveKind,
  limits: ArchiveLimits,
): Promise<ImageArchiveMetadata> {
  const { plan, labels } = await readPlan(file, kind, limits);
  const widths: number[] = [];
  const heights: number[] = [];
  const types: ImageArchiveMetadata["types"] = {};
  await openArchive(file, kind, new ArchiveBudget(limits)).forEach(
    new Set(plan.images.map((i) => i.path)),
    async (path, bytes) => {
      const image = await decodeImage(path, bytes, { height: 8, width: 8, channels: 3 }, limits);
      widths.push(image.width);
      heights.push(image.height);
      types[image.type] = (types[image.type] ?? 0) + 1;
    },
    DECODE_CONCURRENCY,
  );
  const counts = new Map<string, number>();
  for (const label of labels?.values() ?? []) counts.set(label, (counts.get(label) ?? 0) + 1);
  return {
    format: "images",
    archive: kind,
    layout: plan.layout,
    images: plan.images.length,
    labels: labels
      ? [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, count]) => ({ name, count }))
      : null,
    width: spread(widths),
    height: spread(heights),
    types,
  };
}

function spread(values: number[]): { min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0] ?? 0, median: s[Math.floor(s.length / 2)] ?? 0, max: s.at(-1) ?? 0 };
}

/**
 * Decodes every image of a checked archive once, at the model's input size and channels, into
 * an image-tensors file at `out`: rows in archive order, then their class indices (`classOf`
 * maps a label to its index; null writes an unlabelled file). Returns the header written.
 */
export async function decodeImageArchive(
  file: string,
  kind: ArchiveKind,
  limits: ArchiveLimits,
  size: { height: number; width: number; channels: 1 | 3 },
  classOf: ((label: string) => number) | null,
  out: string,
): Promise<ImageTensorsHeader> {
  const { plan, labels } = await readPlan(file, kind, limits);
  const header: ImageTensorsHeader = { rows: plan.images.length, ...size, labelled: classOf !== null };
  const rowOf = new Map(plan.images.map((image, row) => [image.path, row]));
  const rowBytes = imageRowBytes(header);
  const classes = new Int32Array(header.rows);
  if (classOf) {
    if (!labels) throw badImage("the archive has no labels (label folders or labels.csv)");
    plan.images.forEach((image, row) => (classes[row] = classOf(labels.get(image.path)!)));
  }
  const fh = await open(out, "wx");
  try {
    await fh.write(encodeImageTensorsHeader(header), 0, IMAGE_TENSORS_HEADER_BYTES, 0);
    await openArchive(file, kind, new ArchiveBudget(limits)).forEach(
      new Set(rowOf.keys()),
      async (path, bytes) => {
        const { pixels } = await decodeImage(path, bytes, size, limits);
        await fh.write(pixels, 0, rowBytes, IMAGE_TENSORS_HEADER_BYTES + rowOf.get(path)! * rowBytes);
      },
      DECODE_CONCURRENCY,
    );
    if (classOf) {
      const bytes = Buffer.from(classes.buffer, classes.byteOffset, classes.byteLength);
      await fh.write(bytes, 0, bytes.length, labelsOffset(header));
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return header;
}
