import { FormatError } from "./format-error.ts";

const MAX_PATH_CHARS = 1024;
const MAX_SEGMENT_BYTES = 255;

/**
 * Checks a path that names a file beside model.json (a path in its weightsManifest, or a file
 * of an upload) and returns it normalised (a leading "./", as tfjs's browser download writes,
 * is dropped). Refused, saying why: empty, NUL or another control character, a backslash,
 * absolute (/x, C:\x or C:/x), "..", "." or empty segments, too long. `what` names the path in
 * the message, e.g. `file` or `model.json weightsManifest[0].paths[1]`; `root` what it is relative
 * to (an image archive's entries: the archive).
 */
export function checkRelativePath(
  raw: string,
  what: string,
  root: { name: string; folder: string } = { name: "model.json", folder: "the folder of model.json" },
): string {
  const refuse = (why: string) => new FormatError("BAD_PATH", `${what} ${JSON.stringify(raw)} is not allowed: ${why}`);
  if (raw.length === 0) throw new FormatError("BAD_PATH", `${what} is empty`);
  if (raw.includes("\0")) throw refuse("it contains a NUL character");
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const control = /[\u0001-\u001f\u007f]/.exec(raw);
  if (control)
    throw refuse(
      `it contains the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`,
    );
  if (raw.startsWith("/") || raw.startsWith("\\") || /^[A-Za-z]:/.test(raw))
    throw refuse(`it is an absolute path; paths must be relative to ${root.name}`);
  if (raw.includes("\\")) throw refuse("it contains a backslash (use / between folders)");
  if (raw.length > MAX_PATH_CHARS) throw refuse(`it is longer than ${MAX_PATH_CHARS} characters`);
  const path = raw.replace(/^(\.\/)+/, "");
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "..") throw refuse(`it contains ".." (no path may lead outside ${root.folder})`);
    if (segment === ".") throw refuse('it contains a "." segment');
    if (segment === "") throw refuse("it has an empty segment (// or a trailing /)");
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      throw refuse(`a segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return path;
}
