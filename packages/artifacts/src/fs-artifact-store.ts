import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, chmod, mkdir, mkdtemp, open, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ArtifactNotFoundError, assertSha256, isSha256, type ArtifactStore } from "./artifact-store.ts";

const STAGE_PREFIX = "stage-";
const TRASH_PREFIX = "trash-";

export interface FsArtifactStore extends ArtifactStore {
  /** Absolute root folder: `<root>/objects/<sha[0:2]>/<sha>/` and `<root>/staging/`. */
  readonly root: string;
}

/**
 * The artifact store on a filesystem: `<root>/objects/<sha[0:2]>/<sha>/<files>`, staging in
 * `<root>/staging/` on the same filesystem so that publishing is one atomic rename(2).
 * Several processes (and machines sharing one mount) may use the same root at once.
 */
export function createFsArtifactStore(rootDir: string): FsArtifactStore {
  const root = resolve(rootDir);
  const objectsDir = join(root, "objects");
  const stagingDir = join(root, "staging");
  const objectDir = (sha256: string) => join(objectsDir, sha256.slice(0, 2), sha256);

  /** The staged folder, resolved, if it is one this store handed out; throws otherwise. */
  const checkStaged = (stagedDir: string): string => {
    const path = resolve(stagedDir);
    if (dirname(path) !== stagingDir || !basename(path).startsWith(STAGE_PREFIX)) {
      throw new Error(`not a staging folder of the artifact store at ${root}: ${stagedDir}`);
    }
    return path;
  };

  const isDir = async (path: string) => {
    try {
      return (await stat(path)).isDirectory();
    } catch (e) {
      if (errno(e) === "ENOENT") return false;
      throw e;
    }
  };

  const store: FsArtifactStore = {
    root,

    // The root must exist: created on first use it would hide a shared volume that is not mounted.
    async check() {
      if (!(await isDir(root))) throw new Error(`the artifact folder ${root} does not exist or is not a folder`);
      await access(root, constants.R_OK | constants.W_OK | constants.X_OK);
    },

    async stage() {
      await mkdir(stagingDir, { recursive: true });
      return mkdtemp(join(stagingDir, STAGE_PREFIX));
    },

    async prepare(sha256, stagedDir) {
      assertSha256(sha256);
      await syncTree(checkStaged(stagedDir));
    },

    async publish(sha256, stagedDir) {
      assertSha256(sha256);
      const src = checkStaged(stagedDir);
      const dest = objectDir(sha256);
      if (await isDir(dest)) {
        await store.discard(src);
        return;
      }
      // Durable before visible: once the object's name exists it must hold all its bytes,
      // since a content address is never written twice.
      await syncTree(src);
      await chmod(src, 0o755);
      await mkdir(dirname(dest), { recursive: true });
      try {
        await rename(src, dest);
      } catch (e) {
        // Another publisher of the same content won the race: its copy is as good as ours.
        if (errno(e) === "ENOTEMPTY" || errno(e) === "EEXIST") {
          await store.discard(src);
          return;
        }
        throw e;
      }
      await syncDir(dirname(dest));
    },

    async get(sha256) {
      assertSha256(sha256);
      const dir = objectDir(sha256);
      if (!(await isDir(dir))) throw new ArtifactNotFoundError(sha256);
      return dir;
    },

    async exists(sha256) {
      assertSha256(sha256);
      return isDir(objectDir(sha256));
    },

    async delete(sha256) {
      assertSha256(sha256);
      // Renamed away first, so readers see the whole object or nothing; then removed.
      await mkdir(stagingDir, { recursive: true });
      const trash = join(stagingDir, `${TRASH_PREFIX}${sha256.slice(0, 12)}-${randomBytes(6).toString("hex")}`);
      try {
        await rename(objectDir(sha256), trash);
      } catch (e) {
        if (errno(e) === "ENOENT") return;
        throw e;
      }
      await rm(trash, { recursive: true, force: true });
    },

    async discard(stagedDir) {
      await rm(checkStaged(stagedDir), { recursive: true, force: true });
    },

    async *list() {
      let prefixes: string[];
      try {
        prefixes = await readdir(objectsDir);
      } catch (e) {
        if (errno(e) === "ENOENT") return;
        throw e;
      }
      for (const prefix of prefixes.sort()) {
        let names: string[] = [];
        try {
          names = await readdir(join(objectsDir, prefix));
        } catch (e) {
          if (errno(e) !== "ENOENT" && errno(e) !== "ENOTDIR") throw e;
        }
        for (const name of names.sort()) if (isSha256(name) && name.startsWith(prefix)) yield name;
      }
    },

    async sweepStaging(maxAgeMs) {
      let names: string[];
      try {
        names = await readdir(stagingDir);
      } catch (e) {
        if (errno(e) === "ENOENT") return 0;
        throw e;
      }
      let removed = 0;
      const cutoff = Date.now() - maxAgeMs;
      for (const name of names) {
        if (!name.startsWith(STAGE_PREFIX) && !name.startsWith(TRASH_PREFIX)) continue;
        const path = join(stagingDir, name);
        try {
          if ((await stat(path)).mtimeMs >= cutoff) continue;
        } catch {
          continue;
        }
        await rm(path, { recursive: true, force: true });
        removed++;
      }
      return removed;
    },
  };
  return store;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** fsync every file below `dir`, then the folders themselves. */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(path);
    else if (entry.isFile()) {
      const fh = await open(path, "r");
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } catch (e) {
    // Some filesystems cannot fsync a directory; the rename is still atomic there.
    if (!["EINVAL", "EISDIR", "EBADF", "EPERM", "ENOTSUP"].includes(errno(e) ?? "")) throw e;
  } finally {
    await fh.close();
  }
}
