/**
 * The rules of an image dataset archive (.zip, .tar or .tar.gz of JPEG, PNG or WebP images), for
 * the API that checks uploads and decodes them. Reading the archive and decoding images live
 * where they run (the API); these are the rules alone, on paths and counts.
 *
 * Layouts (after a single top-level folder wrapping everything is stripped):
 * - "label-folders": `<label>/<any path>.png`, Keras' image_dataset_from_directory convention;
 *   every top-level folder is a class and must hold at least one image.
 * - "labels-csv": images at the top level and a `labels.csv` (header `file,label`) naming each
 *   image once.
 * - "unlabeled": images at the top level only (registrable only as an UNLABELED dataset).
 * Anything else is refused: loose images beside label folders, labels.csv beside folders.
 *
 * Entries: files and folders only (no symbolic or hard links, devices), safe relative paths
 * (no "..", not absolute), no archive inside the archive, each path once. `__MACOSX/` folders and
 * `.DS_Store` / `Thumbs.db` files, which archivers add on their own, are skipped. Limits: files,
 * expanded bytes (declared by the archive and counted as they inflate), bytes per file, the
 * compression ratio of a file, and an image's pixels (read from its header before it is decoded).
 */
import { splitCsvLine } from "./csv-dataset.ts";
import { sniffFileType } from "./file-type.ts";
import { FormatError } from "./format-error.ts";
import { checkRelativePath } from "./relative-path.ts";

export interface ArchiveLimits {
  /** Files (not folders) an archive may hold. */
  maxFiles: number;
  /** Bytes all its files expand to, as declared and as counted while they inflate. */
  maxExpandedBytes: number;
  /** Bytes one file may expand to. */
  maxFileBytes: number;
  /** Expanded / compressed bytes of one zip entry, or of a whole .tar.gz (bigger files only). */
  maxCompressionRatio: number;
  /** Width x height of one image, read from its header before it is decoded. */
  maxImagePixels: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = {
  maxFiles: 100_000,
  maxExpandedBytes: 2048 * MiB,
  maxFileBytes: 64 * MiB,
  maxCompressionRatio: 100,
  maxImagePixels: 40_000_000,
};

/** Below this many expanded bytes a file's compression ratio is not checked (a short text compresses well). */
const RATIO_MIN_BYTES = 1 * MiB;

/** The file that labels a flat archive. */
const LABELS_CSV = "labels.csv";
/** labels.csv is read into memory: at most this long. */
export const MAX_LABELS_CSV_BYTES = 16 * MiB;

export type ArchiveEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";
export type ImageArchiveLayout = "label-folders" | "labels-csv" | "unlabeled";

const NESTED_ARCHIVE = /\.(zip|tar|tgz|gz|bz2|xz|7z|rar|jar)$/i;
const SKIPPED_NAMES = new Set([".DS_Store", "Thumbs.db"]);

const bad = (message: string) => new FormatError("BAD_ARCHIVE", message);

/**
 * Checks one entry of an archive as its reader meets it and returns its normalised path (no
 * trailing "/"), or null for an entry to skip (archiver litter). Refuses links, devices, unsafe
 * paths and nested archives (by name; readers also sniff file contents).
 */
export function checkArchiveEntry(raw: string, type: ArchiveEntryType): string | null {
  const trimmed = type === "directory" ? raw.replace(/\/+$/, "") : raw;
  if (type === "directory" && trimmed === "") return null;
  const path = checkRelativePath(trimmed, "archive entry", { name: "the archive", folder: "the archive" });
  const segments = path.split("/");
  if (segments[0] === "__MACOSX" || SKIPPED_NAMES.has(segments.at(-1)!)) return null;
  if (type === "symlink" || type === "hardlink") {
    throw bad(
      `${path} is a ${type === "symlink" ? "symbolic" : "hard"} link; an image archive may hold only files and folders`,
    );
  }
  if (type === "other")
    throw bad(
      `${path} is not a file or a folder (a device or a pipe); an image archive may hold only files and folders`,
    );
  if (type === "file" && NESTED_ARCHIVE.test(path)) throw nestedArchive(path);
  return path;
}

/**
 * What an archive's file is by its first bytes: a JPEG, PNG or WebP image, or refused saying
 * what it is instead ("notes.txt is not an image (JPEG, PNG or WebP): it is text"), an archive
 * inside the archive among them.
 */
export function checkImageFile(path: string, head: Uint8Array): "png" | "jpeg" | "webp" {
  const t = sniffFileType(head);
  if (t.archive) throw nestedArchive(path);
  if (!t.supportedImage) throw bad(`${path} is not an image (JPEG, PNG or WebP): it is ${t.description}`);
  return t.kind as "png" | "jpeg" | "webp";
}

/** The refusal of an archive inside the archive. */
function nestedArchive(path: string): FormatError {
  return bad(`${path} is an archive inside the archive; put the images themselves in one archive`);
}

/**
 * Counts an archive's files and bytes against the limits: what the archive declares (a zip's
 * central directory, a tar header) before a byte is inflated, and what really comes out.
 */
export class ArchiveBudget {
  private files = 0;
  private declaredBytes = 0;
  private expandedBytes = 0;

  constructor(readonly limits: ArchiveLimits) {}

  /** A file, with the bytes it says it expands to and, for a zip entry, its compressed size. */
  declareFile(path: string, expandedBytes: number, compressedBytes?: number): void {
    const { limits } = this;
    if (++this.files > limits.maxFiles) {
      throw bad(`the archive holds more than ${limits.maxFiles} files, the most an image dataset may have`);
    }
    if (expandedBytes > limits.maxFileBytes) throw tooBig(path, expandedBytes, limits.maxFileBytes);
    this.declaredBytes += expandedBytes;
    if (this.declaredBytes > limits.maxExpandedBytes) throw tooBigTotal(limits.maxExpandedBytes);
    if (compressedBytes !== undefined) this.checkRatio(path, expandedBytes, compressedBytes);
  }

  /** Bytes that came out of one file so far (`sofar`, after a chunk of `chunk` bytes). */
  inflated(path: string, chunk: number, sofar: number): void {
    this.expandedBytes += chunk;
    if (sofar > this.limits.maxFileBytes) throw tooBig(path, sofar, this.limits.maxFileBytes);
    if (this.expandedBytes > this.limits.maxExpandedBytes) throw tooBigTotal(this.limits.maxExpandedBytes);
  }

  /** Expanded / compressed bytes of a file (or of the whole archive, named `what`). */
  checkRatio(what: string, expandedBytes: number, compressedBytes: number): void {
    if (expandedBytes < RATIO_MIN_BYTES) return;
    const ratio = expandedBytes / Math.max(1, compressedBytes);
    if (ratio > this.limits.maxCompressionRatio) {
      throw bad(
        `${what} expands ${Math.round(ratio)} times (${expandedBytes} bytes from ${compressedBytes}), over the limit of ` +
          `${this.limits.maxCompressionRatio}: images are compressed already, so this looks like a zip bomb`,
      );
    }
  }

  get fileCount(): number {
    return this.files;
  }
}

function tooBig(path: string, bytes: number, limit: number): FormatError {
  return bad(
    `${path} expands to more than ${limit} bytes (at least ${bytes}), the limit for one file of an image archive`,
  );
}
function tooBigTotal(limit: number): FormatError {
  return bad(`the archive expands to more than ${limit} bytes, the limit for an image dataset`);
}

/** An image's width and height against the pixel limit, before it is decoded. */
export function checkImageDimensions(path: string, width: number, height: number, limits: ArchiveLimits): void {
  if (!(width > 0 && height > 0)) throw bad(`${path} has no width or height (${width}x${height})`);
  if (width * height > limits.maxImagePixels) {
    throw bad(
      `${path} is ${width}x${height} pixels, over the limit of ${limits.maxImagePixels} pixels an image (it would be resized to the model's input anyway: scale it down first)`,
    );
  }
}

interface PlannedImage {
  /** Path inside the archive, as its reader names it. */
  path: string;
  /** The label folder's name (label-folders); null otherwise (labels.csv fills it in). */
  label: string | null;
}

export interface ImageArchivePlan {
  layout: ImageArchiveLayout;
  /** A single top-level folder wrapping everything ("data/"), stripped from names; "" when none. */
  prefix: string;
  /** Every image, in archive order. */
  images: PlannedImage[];
  /** labels.csv's path inside the archive (labels-csv layout). */
  labelsCsv: string | null;
}

/**
 * The layout of an archive from its files and folders (checked paths, in archive order): which
 * layout, which files are images and their label folders. Refuses duplicate names, empty class
 * folders, mixed layouts and an archive without images.
 */
export function planImageArchive(files: readonly string[], directories: readonly string[]): ImageArchivePlan {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f)) throw bad(`${f} is in the archive twice; every name must be unique`);
    seen.add(f);
  }
  if (files.length === 0) throw bad("the archive holds no files: put JPEG, PNG or WebP images in it");
  const prefix = wrapperPrefix(files, directories);
  const rel = (p: string) => p.slice(prefix.length);
  const top = (p: string) => rel(p).split("/")[0]!;
  const nested = files.filter((f) => rel(f).includes("/"));
  const loose = files.filter((f) => !rel(f).includes("/"));
  const labelsCsv = loose.find((f) => rel(f) === LABELS_CSV) ?? null;
  const looseImages = loose.filter((f) => f !== labelsCsv);
  const folders = new Set([
    ...nested.map(top),
    ...directories.filter((d) => d.startsWith(prefix) && d.length > prefix.length).map(top),
  ]);
  const folderList = () =>
    [...folders]
      .slice(0, 3)
      .map((f) => `${f}/`)
      .join(", ");

  if (labelsCsv !== null && folders.size > 0) {
    throw bad(
      `the archive mixes two layouts: a ${LABELS_CSV} and folders (${folderList()}); use label folders (<label>/<image>) without ${LABELS_CSV}, or images at the top level with ${LABELS_CSV}`,
    );
  }
  if (labelsCsv !== null) {
    if (looseImages.length === 0) throw bad(`the archive holds ${LABELS_CSV} but no images beside it`);
    return { layout: "labels-csv", prefix, images: looseImages.map((path) => ({ path, label: null })), labelsCsv };
  }
  if (folders.size === 0) {
    return { layout: "unlabeled", prefix, images: looseImages.map((path) => ({ path, label: null })), labelsCsv: null };
  }
  if (looseImages.length > 0) {
    throw bad(
      `the archive mixes two layouts: images at the top level (${rel(looseImages[0]!)}) and label folders (${folderList()}); put every image in its label's folder, or all at the top level with a ${LABELS_CSV}`,
    );
  }
  const counts = new Map([...folders].map((f) => [f, 0]));
  for (const f of nested) counts.set(top(f), (counts.get(top(f)) ?? 0) + 1);
  const empty = [...counts].find(([, n]) => n === 0);
  if (empty) throw bad(`class folder ${prefix}${empty[0]}/ is empty; every label folder needs at least one image`);
  return {
    layout: "label-folders",
    prefix,
    images: nested.map((path) => ({ path, label: top(path) })),
    labelsCsv: null,
  };
}

/**
 * "data/" when every file and folder is inside one top-level folder whose contents are a layout
 * of their own (subfolders or labels.csv); "" otherwise. A single folder of images alone is one
 * class folder, not a wrapper.
 */
function wrapperPrefix(files: readonly string[], directories: readonly string[]): string {
  const tops = new Set([...files, ...directories].map((p) => p.split("/")[0]!));
  if (tops.size !== 1 || files.some((f) => !f.includes("/"))) return "";
  const prefix = `${[...tops][0]!}/`;
  const inner = [...files, ...directories.filter((d) => d.startsWith(prefix))].map((p) => p.slice(prefix.length));
  return inner.some((p) => p.includes("/") || p === LABELS_CSV) ||
    directories.some((d) => d.startsWith(prefix) && d.length > prefix.length)
    ? prefix
    : "";
}

/**
 * Reads labels.csv (header `file,label`, one row per image; the file relative to the folder of
 * labels.csv) against the archive's images and answers each image's label. Refuses a bad header,
 * an empty label, a file named twice, a file not in the archive, and an image it does not name.
 */
export function readLabelsCsv(text: string, plan: ImageArchivePlan): Map<string, string> {
  const where = plan.prefix + LABELS_CSV;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "", 1).map((c) => c.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== "file" || header[1] !== "label") {
    throw bad(`${where}: the header must be "file,label" (got ${JSON.stringify(lines[0]?.slice(0, 80) ?? "")})`);
  }
  const images = new Set(plan.images.map((i) => i.path));
  const labels = new Map<string, string>();
  const lineOf = new Map<string, number>();
  lines.slice(1).forEach((line, i) => {
    const number = i + 2;
    if (line.trim() === "") return;
    const cells = splitCsvLine(line, number).map((c) => c.trim());
    if (cells.length !== 2) throw bad(`${where} line ${number} has ${cells.length} cells; each row is file,label`);
    const [file, label] = cells as [string, string];
    const path = plan.prefix + file.replace(/^(\.\/)+/, "");
    if (label === "") throw bad(`${where} line ${number}: ${file} has an empty label`);
    if (lineOf.has(path))
      throw bad(`${where} line ${number}: ${file} is listed twice (first on line ${lineOf.get(path)})`);
    if (!images.has(path)) {
      throw bad(
        `${where} line ${number} names ${file}, which is not an image of the archive (images sit beside ${LABELS_CSV})`,
      );
    }
    lineOf.set(path, number);
    labels.set(path, label);
  });
  const unlisted = plan.images.find((i) => !labels.has(i.path));
  if (unlisted) {
    throw bad(
      `${unlisted.path.slice(plan.prefix.length)} is in the archive but not in ${LABELS_CSV}: every image needs a row file,label`,
    );
  }
  return labels;
}

/**
 * The class index of each label: its position in the model's class names, or the label itself
 * when it is a whole number (0, 1, 2 … below the number of class names, when the model has them).
 * Refuses a label the model does not have, listing the ones it has.
 */
export function classIndices(labels: readonly string[], classNames: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const label of labels) {
    const named = classNames.indexOf(label);
    if (named >= 0) {
      out.set(label, named);
      continue;
    }
    const n = /^\d{1,9}$/.test(label) ? Number(label) : -1;
    if (n >= 0 && (classNames.length === 0 || n < classNames.length)) {
      out.set(label, n);
      continue;
    }
    throw bad(
      classNames.length > 0
        ? `label "${label}" is not a class of the model; its classes are ${listed(classNames)} (or their indices 0 to ${classNames.length - 1})`
        : `label "${label}" is not a class index, and the model has no class names: name the folders (or labels) 0, 1, 2 …, or give the model classNames`,
    );
  }
  return out;
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((n) => `"${n}"`);
  return names.length > 20 ? `${shown.join(", ")} and ${names.length - 20} more` : shown.join(", ");
}
