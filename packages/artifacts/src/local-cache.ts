import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";

const TMP_PREFIX = "tmp-";
const TRASH_PREFIX = "trash-";

export interface LocalCacheOptions {
  /** Folder of the cache; several processes on one machine may share it. */
  dir: string;
  /** Bytes the cached artifacts may take; past it the least recently used are removed. */
  maxBytes: number;
  /**
   * An entry used less than this long ago is not removed even over maxBytes, so a folder that
   * `get` just returned stays while its caller reads it (default 10 minutes).
   */
  inUseMs?: number;
}

/**
 * A bounded local folder of artifact copies, `<dir>/<sha>/<files>`: filled by a download into a
 * temporary folder renamed into place (readers see a whole copy or none), used-time kept as the
 * entry folder's mtime, evicted least recently used first by bytes.
 */
export interface LocalCache {
  /** The entry's folder if it is cached (and marks it used), else undefined. */
  lookup(sha256: string): Promise<string | undefined>;
  /** Fills the entry with `download(tmpDir)` unless another process did first; returns its folder. */
  fill(sha256: string, download: (tmpDir: string) => Promise<void>): Promise<string>;
  /** Removes one entry (after the artifact is deleted). */
  remove(sha256: string): Promise<void>;
  /** Removes least recently used entries until the cache holds at most maxBytes (entries in use excepted). */
  evict(): Promise<void>;
  /** Removes temporary folders older than maxAgeMs (downloads cut by a crash); returns how many. */
  sweep(maxAgeMs: number): Promise<number>;
}

export function createLocalCache({ dir, maxBytes, inUseMs = 10 * 60_000 }: LocalCacheOptions): LocalCache {
  const entry = (sha256: string) => join(dir, sha256);

  const discard = async (path: string) => {
    const trash = join(dir, `${TRASH_PREFIX}${randomBytes(6).toString("hex")}`);
    try {
      await rename(path, trash);
    } catch (e) {
      if (errno(e) === "ENOENT") return;
      throw e;
    }
    await rm(trash, { recursive: true, force: true });
  };

  const cache: LocalCache = {
    async lookup(sha256) {
      const path = entry(sha256);
      const now = new Date();
      try {
        await utimes(path, now, now);
        return path;
      } catch (e) {
        if (errno(e) === "ENOENT") return undefined;
        throw e;
      }
    },

    async fill(sha256, download) {
      await mkdir(dir, { recursive: true });
      const tmp = await mkdtemp(join(dir, TMP_PREFIX));
      try {
        await download(tmp);
        await rename(tmp, entry(sha256));
      } catch (e) {
        await rm(tmp, { recursive: true, force: true });
        // Another process filled the same entry meanwhile: its copy is as good as ours.
        if (!["ENOTEMPTY", "EEXIST"].includes(errno(e) ?? "")) throw e;
      }
      const path = (await cache.lookup(sha256)) ?? entry(sha256);
      await cache.evict();
      return path;
    },

    async remove(sha256) {
      await discard(entry(sha256));
    },

    async evict() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (e) {
        if (errno(e) === "ENOENT") return;
        throw e;
      }
      const entries: { name: string; usedMs: number; bytes: number }[] = [];
      for (const name of names) {
        if (name.startsWith(TMP_PREFIX) || name.startsWith(TRASH_PREFIX)) continue;
        try {
          const usedMs = (await stat(join(dir, name))).mtimeMs;
          entries.push({ name, usedMs, bytes: await treeBytes(join(dir, name)) });
        } catch (e) {
          if (errno(e) !== "ENOENT") throw e; // removed by another process meanwhile
        }
      }
      let total = entries.reduce((sum, e) => sum + e.bytes, 0);
      const inUseSince = Date.now() - inUseMs;
      for (const e of entries.sort((a, b) => a.usedMs - b.usedMs)) {
        if (total <= maxBytes) break;
        if (e.usedMs >= inUseSince) break; // sorted: every later entry is in use too
        await discard(join(dir, e.name));
        total -= e.bytes;
      }
    },

    async sweep(maxAgeMs) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (e) {
        if (errno(e) === "ENOENT") return 0;
        throw e;
      }
      const cutoff = Date.now() - maxAgeMs;
      let removed = 0;
      for (const name of names) {
        if (!name.startsWith(TMP_PREFIX) && !name.startsWith(TRASH_PREFIX)) continue;
        try {
          if ((await stat(join(dir, name))).mtimeMs >= cutoff) continue;
        } catch {
          continue;
        }
        await rm(join(dir, name), { recursive: true, force: true });
        removed++;
      }
      return removed;
    },
  };
  return cache;
}

async function treeBytes(path: string): Promise<number> {
  let bytes = 0;
  for (const e of await readdir(path, { withFileTypes: true })) {
    const child = join(path, e.name);
    if (e.isDirectory()) bytes += await treeBytes(child);
    else if (e.isFile()) bytes += (await stat(child)).size;
  }
  return bytes;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}
