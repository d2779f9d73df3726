import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import yauzl from "yauzl";
import { FormatError, checkArchiveEntry, type ArchiveBudget, type ArchiveEntryType } from "@costgate/formats";

export type ArchiveKind = "zip" | "tar" | "tar.gz";

interface ArchiveListing {
  /** Files, checked and in archive order. */
  files: string[];
  directories: string[];
}

/**
 * Reads an archive on disk (a zip by random access through its central directory, a tar or
 * tar.gz as a stream), checking every entry by the rules of @costgate/formats and counting files
 * and bytes against `budget`. Nothing is extracted to disk: files are handed over one at a time
 * as Buffers (at most the limit of one file), so memory does not grow with the archive.
 */
export interface ArchiveReader {
  /** Every entry, checked; the files' declared (zip) or counted (tar) sizes are charged to the budget. */
  list(): Promise<ArchiveListing>;
  /**
   * Calls `use` with the bytes of each file in `wanted`, in archive order, their inflated bytes
   * counted again. `use` may be slow (decoding): the next file is read while it runs, and at most
   * `concurrency` run at once.
   */
  forEach(
    wanted: ReadonlySet<string>,
    use: (path: string, bytes: Buffer) => Promise<void>,
    concurrency: number,
  ): Promise<void>;
}

const corrupt = (kind: ArchiveKind, e: unknown) =>
  new FormatError(
    "BAD_ARCHIVE",
    `the ${kind === "zip" ? "zip" : kind === "tar" ? "tar" : "tar.gz"} archive is corrupt or truncated (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`,
  );

export function openArchive(file: string, kind: ArchiveKind, budget: ArchiveBudget): ArchiveReader {
  return kind === "zip" ? zipReader(file, budget) : tarReader(file, kind, budget);
}

/** Runs at most `limit` tasks at once; `admit` waits for room. */
function pool(limit: number) {
  const running = new Set<Promise<void>>();
  let failure: unknown = null;
  return {
    async admit(task: () => Promise<void>): Promise<void> {
      while (running.size >= limit) await Promise.race(running);
      if (failure) throw failure;
      const p: Promise<void> = task()
        .catch((e: unknown) => {
          failure ??= e;
        })
        .finally(() => running.delete(p));
      running.add(p);
    },
    async drain(): Promise<void> {
      await Promise.all(running);
      if (failure) throw failure;
    },
  };
}

/**
 * Reads a stream into one Buffer (or only counts it, `keep` false), its bytes charged to the
 * budget as they come. By events, not `for await`: yauzl's stream of a stored (uncompressed)
 * entry never ends under async iteration.
 */
function readAll(stream: Readable, path: string, budget: ArchiveBudget, keep = true): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (b: Buffer) => {
      size += b.length;
      try {
        budget.inflated(path, b.length, size);
      } catch (e) {
        stream.destroy();
        reject(e);
        return;
      }
      if (keep) chunks.push(b);
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(Buffer.concat(chunks, keep ? size : 0)));
  });
}

// ---------------------------------------------------------------- zip

function zipType(entry: yauzl.Entry, name: string): ArchiveEntryType {
  const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
  const unix = entry.versionMadeBy >> 8 === 3;
  if (unix && mode === 0o120000) return "symlink";
  if (unix && mode !== 0 && mode !== 0o100000 && mode !== 0o040000) return "other";
  return name.endsWith("/") || (unix && mode === 0o040000) ? "directory" : "file";
}

function zipReader(file: string, budget: ArchiveBudget): ArchiveReader {
  const open = () =>
    new Promise<yauzl.ZipFile>((resolve, reject) =>
      // decodeStrings false: names are checked by our rules (and messages), not refused by yauzl's.
      yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (e, zip) =>
        e ? reject(corrupt("zip", e)) : resolve(zip),
      ),
    );
  /** Visits every entry in order; `visit` resolves before the next entry is read. */
  const walk = async (visit: (zip: yauzl.ZipFile, entry: yauzl.Entry, name: string) => Promise<void>) => {
    const zip = await open();
    try {
      await new Promise<void>((resolve, reject) => {
        let failed = false;
        const fail = (e: unknown) => {
          if (failed) return;
          failed = true;
          reject(e instanceof FormatError ? e : corrupt("zip", e));
        };
        zip.on("error", fail);
        zip.on("end", () => resolve());
        zip.on("entry", (entry: yauzl.Entry) => {
          const name = (entry.fileName as unknown as Buffer).toString("utf8");
          visit(zip, entry, name).then(() => zip.readEntry(), fail);
        });
        zip.readEntry();
      });
    } finally {
      zip.close();
    }
  };
  return {
    async list() {
      const files: string[] = [];
      const directories: string[] = [];
      await walk(async (_zip, entry, name) => {
        const type = zipType(entry, name);
        const path = checkArchiveEntry(name, type);
        if (path === null) return;
        if (type === "directory") return void directories.push(path);
        budget.declareFile(
          path,
          entry.uncompressedSize,
          entry.compressionMethod === 0 ? undefined : entry.compressedSize,
        );
        files.push(path);
      });
      return { files, directories };
    },
    async forEach(wanted, use, concurrency) {
      const tasks = pool(concurrency);
      await walk(async (zip, entry, name) => {
        if (name.endsWith("/")) return;
        const path = checkArchiveEntry(name, zipType(entry, name));
        if (path === null || !wanted.has(path)) return;
        const stream = await new Promise<Readable>((resolve, reject) =>
          zip.openReadStream(entry, (e, s) => (e ? reject(corrupt("zip", e)) : resolve(s))),
        );
        const bytes = await readAll(stream, path, budget).catch((e: unknown) => {
          throw e instanceof FormatError ? e : corrupt("zip", e);
        });
        await tasks.admit(() => use(path, bytes));
      });
      await tasks.drain();
    },
  };
}

// ---------------------------------------------------------------- tar, tar.gz

const TAR_TYPES: Partial<Record<string, ArchiveEntryType>> = {
  file: "file",
  "contiguous-file": "file",
  directory: "directory",
  symlink: "symlink",
  link: "hardlink",
};

function tarReader(file: string, kind: "tar" | "tar.gz", budget: ArchiveBudget): ArchiveReader {
  /** Streams the archive through gunzip (counting the ratio) into tar-stream, visiting each entry in order. */
  const walk = async (visit: (header: tar.Header, stream: Readable) => Promise<void>) => {
    const compressed = (await stat(file)).size;
    let read = 0;
    let out = 0;
    const source = createReadStream(file);
    source.on("data", (c) => (read += (c as Buffer).length));
    const extract = tar.extract();
    const stages: NodeJS.ReadWriteStream[] = [];
    if (kind === "tar.gz") {
      stages.push(
        createGunzip(),
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            out += chunk.length;
            try {
              budget.checkRatio("the archive", out, Math.min(read, compressed));
            } catch (e) {
              return done(e as Error);
            }
            done(null, chunk);
          },
        }),
      );
    }
    const piped = (pipeline as (streams: readonly NodeJS.ReadableStream[]) => Promise<void>)([
      source,
      ...stages,
      extract as unknown as NodeJS.ReadWriteStream,
    ]).catch((e: unknown) => {
      throw e instanceof FormatError ? e : corrupt(kind, e);
    });
    piped.catch(() => undefined);
    try {
      for await (const entry of extract) {
        await visit(entry.header, entry as unknown as Readable);
        entry.resume();
      }
    } catch (e) {
      source.destroy();
      if (e instanceof FormatError) throw e;
      // Otherwise the pipeline's own error (gunzip, the ratio) is the cause when there is one.
      await piped;
      throw corrupt(kind, e);
    }
    await piped;
  };
  const entryPath = (header: tar.Header): { path: string | null; type: ArchiveEntryType } => {
    const type = TAR_TYPES[header.type ?? "file"] ?? "other";
    return { path: checkArchiveEntry(header.name, type), type };
  };
  return {
    async list() {
      const files: string[] = [];
      const directories: string[] = [];
      await walk(async (header, stream) => {
        const { path, type } = entryPath(header);
        if (path === null) return;
        if (type === "directory") return void directories.push(path);
        budget.declareFile(path, header.size ?? 0);
        files.push(path);
        await readAll(stream, path, budget, false);
      });
      return { files, directories };
    },
    async forEach(wanted, use, concurrency) {
      const tasks = pool(concurrency);
      await walk(async (header, stream) => {
        const { path } = entryPath(header);
        if (path === null || !wanted.has(path)) return;
        const bytes = await readAll(stream, path, budget);
        await tasks.admit(() => use(path, bytes));
      });
      await tasks.drain();
    },
  };
}
