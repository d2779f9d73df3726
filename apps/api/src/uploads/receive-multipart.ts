import { createHash, type Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { AppError, ErrorCode, badInput } from "@costgate/core";
import { formatBytes, type ResolvedUploadLimits } from "./upload-limits.ts";
import { checkUploadPath } from "./upload-path.ts";

export type UploadKind = "model" | "dataset";

interface ReceivedFile {
  path: string;
  sizeBytes: number;
  sha256: string;
}

export interface ReceivedUpload {
  /** From the `kind` field, when one was sent. */
  kind: UploadKind | null;
  /** In the order they arrived. */
  files: ReceivedFile[];
  /** sha256 of every file's bytes concatenated in arrival order (the digest when that order is canonical). */
  arrivalSha256: string;
  totalBytes: number;
}

/** The client went away mid-upload: nothing to answer, only to clean up. */
export class ClientAbortedError extends Error {
  constructor() {
    super("the client closed the connection before the upload was complete");
    this.name = "ClientAbortedError";
  }
}

const tooLarge = (message: string) => new AppError(ErrorCode.PAYLOAD_TOO_LARGE, message);

/**
 * Streams a multipart/form-data request into `stagedDir`: each file part is written under
 * its path (the part's filename, or its field name when it has none), hashed and counted on
 * the way; limits are enforced as bytes arrive, so an oversized upload stops early. Resolves
 * once every file is on disk; rejects (after every write has stopped, so the caller can remove
 * `stagedDir` knowing nothing more will appear in it) with BAD_USER_INPUT, PAYLOAD_TOO_LARGE or
 * ClientAbortedError.
 */
export function receiveMultipart(
  req: IncomingMessage,
  stagedDir: string,
  limits: ResolvedUploadLimits,
): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        preservePath: true,
        limits: {
          files: limits.maxFiles,
          fileSize: limits.maxFileBytes,
          fields: 8,
          fieldSize: 1024,
          fieldNameSize: 200,
          parts: limits.maxFiles + 8,
        },
      });
    } catch (e) {
      reject(badInput(`the body is not usable multipart/form-data: ${(e as Error).message}`));
      return;
    }

    const files: ReceivedFile[] = [];
    const seen = new Set<string>();
    const arrival: Hash = createHash("sha256");
    const active = new Set<Readable>();
    let kind: UploadKind | null = null;
    let totalBytes = 0;
    let failed: unknown = null;
    // Files are written one after another, so the arrival hash sees whole files in order.
    let chain: Promise<void> = Promise.resolve();

    const fail = (err: unknown) => {
      if (failed) return;
      failed = err;
      req.unpipe(bb);
      // Unblocks a write in progress; its own error is ignored, the first failure is what counts.
      for (const stream of active) stream.destroy();
      void chain.then(() => reject(err));
    };

    bb.on("field", (name, value, info) => {
      if (failed) return;
      if (info.valueTruncated || info.nameTruncated)
        return fail(badInput(`form field "${name.slice(0, 40)}" is too long`));
      if (name !== "kind")
        return fail(
          badInput(
            `unknown form field "${name.slice(0, 40)}": send kind=model or kind=dataset and the files as file parts`,
          ),
        );
      if (kind !== null) return fail(badInput("form field kind was sent twice"));
      const v = value.trim().toLowerCase();
      if (v === "model" || v === "tfjs_layers_model") kind = "model";
      else if (v === "dataset") kind = "dataset";
      else fail(badInput(`kind must be "model" or "dataset" (got ${JSON.stringify(value.slice(0, 40))})`));
    });

    bb.on("file", (field, stream, info) => {
      if (failed) {
        stream.resume();
        return;
      }
      let path: string;
      try {
        const raw = info.filename ?? field;
        path = checkUploadPath(raw, "file");
        if (seen.has(path)) throw badInput(`file "${path}" is in the upload twice`);
      } catch (e) {
        stream.resume();
        return fail(e);
      }
      seen.add(path);
      active.add(stream);
      stream.on("error", () => {}); // reported through the pipeline below, or superseded by `failed`
      stream.on("limit", () =>
        fail(tooLarge(`file "${path}" is over the per-file limit of ${formatBytes(limits.maxFileBytes)}`)),
      );
      chain = chain
        .then(async () => {
          if (failed) {
            stream.resume();
            return;
          }
          const own = createHash("sha256");
          let size = 0;
          const dest = join(stagedDir, path);
          await mkdir(dirname(dest), { recursive: true }).catch((e) => {
            throw conflict(e, path);
          });
          await pipeline(
            stream,
            async function* (source: AsyncIterable<Buffer>) {
              for await (const chunk of source) {
                size += chunk.length;
                totalBytes += chunk.length;
                if (totalBytes > limits.maxTotalBytes) {
                  throw tooLarge(`the upload is over the total limit of ${formatBytes(limits.maxTotalBytes)}`);
                }
                own.update(chunk);
                arrival.update(chunk);
                yield chunk;
              }
            },
            createWriteStream(dest, { flags: "wx", flush: true }),
          ).catch((e) => {
            throw conflict(e, path);
          });
          files.push({ path, sizeBytes: size, sha256: own.digest("hex") });
        })
        .catch(fail)
        .finally(() => active.delete(stream));
    });

    bb.on("filesLimit", () =>
      fail(tooLarge(`the upload has more than ${limits.maxFiles} files, the most one upload may hold`)),
    );
    bb.on("partsLimit", () => fail(tooLarge(`the upload has more than ${limits.maxFiles + 8} parts`)));
    bb.on("fieldsLimit", () => fail(badInput("the upload has too many form fields; only kind is expected")));
    bb.on("error", (e: Error) => fail(badInput(`the multipart body is malformed: ${e.message}`)));
    bb.on("close", () => {
      void chain.then(() => {
        if (!failed) resolve({ kind, files, arrivalSha256: arrival.digest("hex"), totalBytes });
      });
    });
    req.on("close", () => {
      if (!req.complete) fail(new ClientAbortedError());
    });
    req.pipe(bb);
  });
}

/** Two paths that cannot both be files ("a" and "a/b") surface as filesystem errors. */
function conflict(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === "EEXIST" || code === "ENOTDIR" || code === "EISDIR") {
    return badInput(`file "${path}" clashes with another file of the upload (one is used as a folder of the other)`);
  }
  return e;
}
