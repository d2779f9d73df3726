/**
 * What a file is, by its first bytes (its "magic"), not by its name: the one rule the API uses to
 * tell a CSV from an image archive, to say "this is a PNG image, not a CSV" instead of a header
 * error, and to refuse a file inside an image archive that is not an image, saying what it is.
 */
import { FormatError } from "./format-error.ts";

type SniffedKind =
  | "png"
  | "jpeg"
  | "webp"
  | "gif"
  | "bmp"
  | "tiff"
  | "pdf"
  | "zip"
  | "gzip"
  | "tar"
  | "bzip2"
  | "xz"
  | "7z"
  | "rar"
  | "json"
  | "html"
  | "text"
  | "binary"
  | "empty";

export interface SniffedType {
  kind: SniffedKind;
  /** As a sentence says it: "a PNG image", "a zip archive", "text", "binary data". */
  description: string;
  /** JPEG, PNG or WebP: the images an image dataset may hold. */
  supportedImage: boolean;
  /** An archive or a compressed file (zip, tar, gzip, bzip2, xz, 7z, rar). */
  archive: boolean;
}

/** Bytes to read from the start of a file for sniffFileType (a tar header's "ustar" is at 257). */
export const SNIFF_BYTES = 512;

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) =>
  head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
const ascii = (head: Uint8Array, text: string, at = 0) =>
  startsWith(
    head,
    [...text].map((c) => c.charCodeAt(0)),
    at,
  );

const TYPES: Record<Exclude<SniffedKind, "text" | "binary" | "empty">, string> = {
  png: "a PNG image",
  jpeg: "a JPEG image",
  webp: "a WebP image",
  gif: "a GIF image",
  bmp: "a BMP image",
  tiff: "a TIFF image",
  pdf: "a PDF document",
  zip: "a zip archive",
  gzip: "a gzip-compressed file",
  tar: "a tar archive",
  bzip2: "a bzip2-compressed file",
  xz: "an xz-compressed file",
  "7z": "a 7z archive",
  rar: "a RAR archive",
  json: "JSON",
  html: "an HTML page",
};

const SUPPORTED_IMAGES = new Set<SniffedKind>(["png", "jpeg", "webp"]);
const ARCHIVES = new Set<SniffedKind>(["zip", "gzip", "tar", "bzip2", "xz", "7z", "rar"]);

function kindOf(head: Uint8Array): SniffedKind {
  if (head.length === 0) return "empty";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "jpeg";
  if (ascii(head, "RIFF") && ascii(head, "WEBP", 8)) return "webp";
  if (ascii(head, "GIF87a") || ascii(head, "GIF89a")) return "gif";
  if (ascii(head, "BM") && head.length >= 14) return "bmp";
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return "tiff";
  if (ascii(head, "%PDF-")) return "pdf";
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return "zip";
  if (startsWith(head, [0x1f, 0x8b])) return "gzip";
  if (ascii(head, "ustar", 257)) return "tar";
  if (ascii(head, "BZh")) return "bzip2";
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return "7z";
  if (ascii(head, "Rar!")) return "rar";
  if (!looksLikeText(head)) return "binary";
  return textKind(head);
}

/** JSON or a web page (a login page saved instead of the export) by their first characters; else text. */
function textKind(head: Uint8Array): "json" | "html" | "text" {
  const start = new TextDecoder()
    .decode(head.subarray(0, 64))
    .replace(/^\uFEFF/, "")
    .trimStart()
    .toLowerCase();
  if (start.startsWith("{") || start.startsWith("[")) return "json";
  if (start.startsWith("<!doctype html") || start.startsWith("<html")) return "html";
  return "text";
}

/** No NUL and few control characters: what a CSV, a note or a script looks like. */
function looksLikeText(head: Uint8Array): boolean {
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control++;
  }
  return control <= head.length / 100;
}

/** What the bytes at the start of a file (SNIFF_BYTES of them, or the whole file when shorter) are. */
export function sniffFileType(head: Uint8Array): SniffedType {
  const kind = kindOf(head);
  const description =
    kind === "text" ? "text" : kind === "binary" ? "binary data" : kind === "empty" ? "empty" : TYPES[kind];
  return { kind, description, supportedImage: SUPPORTED_IMAGES.has(kind), archive: ARCHIVES.has(kind) };
}

/** Kinds a dataset upload may be: a CSV (text), or an image archive (zip, tar, tar.gz). */
export type DatasetFileKind = "csv" | "zip" | "tar" | "tar.gz";

const EXTENSION_KINDS: [RegExp, DatasetFileKind][] = [
  [/\.csv$/i, "csv"],
  [/\.zip$/i, "zip"],
  [/\.(tar\.gz|tgz)$/i, "tar.gz"],
  [/\.tar$/i, "tar"],
];

const KIND_NAMES: Record<DatasetFileKind, string> = {
  csv: "a CSV",
  zip: "a zip archive",
  tar: "a tar archive",
  "tar.gz": "a gzip-compressed tar archive",
};

/**
 * What a dataset upload named `name` is, by its first bytes: a CSV or an image archive (a gzip
 * file is taken as a .tar.gz; the tar inside is checked when read). A file whose name promises
 * one kind (.csv, .zip, .tar, .tar.gz/.tgz) and whose bytes are another is refused, as is anything
 * else (FormatError BAD_FILE_TYPE), saying what it is: "cat.csv is a PNG image, not a CSV".
 */
export function datasetFileKind(name: string, head: Uint8Array): DatasetFileKind {
  const t = sniffFileType(head);
  const byContent: DatasetFileKind | null =
    t.kind === "zip"
      ? "zip"
      : t.kind === "tar"
        ? "tar"
        : t.kind === "gzip"
          ? "tar.gz"
          : t.kind === "text"
            ? "csv"
            : null;
  const named = EXTENSION_KINDS.find(([re]) => re.test(name))?.[1] ?? null;
  const what = t.kind === "empty" ? "is empty" : `is ${t.description}`;
  const expected = named ? KIND_NAMES[named] : "a CSV or an image archive";
  if (byContent !== null && (named === null || named === byContent)) return byContent;
  throw new FormatError(
    "BAD_FILE_TYPE",
    `${name} ${what}, not ${expected}: a dataset is a CSV (numeric columns and a label column) ` +
      `or a .zip, .tar or .tar.gz of JPEG/PNG/WebP images${t.supportedImage ? " (put the images in an archive)" : ""}`,
  );
}
