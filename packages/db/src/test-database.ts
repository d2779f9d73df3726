import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { pgConfigFromUrl } from "./pg-config.ts";

/**
 * Per-test-file isolation on the real PostgreSQL server.
 *
 * The migrations are applied once, to a template database whose comment records a hash of
 * the migrations folder; each test file then gets its own copy (`CREATE DATABASE ... TEMPLATE`,
 * tens of milliseconds) and drops it when done. Parallel vitest workers and processes take a
 * Postgres advisory lock around "check the template, rebuild it if stale, copy it", so the
 * template is built once and never copied while it is being rebuilt.
 *
 * A database is named costgate_test_<host>_<pid>_<random>: databases whose process on this host
 * died without drop() (a test run killed half-way) are dropped by the next call.
 */

export interface TestDatabase {
  /** postgresql:// URL of the new, migrated, empty database. */
  url: string;
  name: string;
  /** Terminates every connection to the database and drops it. Safe to call twice. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Server to create databases on. Default TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres. */
  serverUrl?: string;
  /** Folder of Prisma migrations (`<name>/migration.sql`). Default: the repository's prisma/migrations. */
  migrationsDir?: string;
  /** Template database name. Default costgate_test_template. */
  templateName?: string;
}

const DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));
const DEFAULT_TEMPLATE = "costgate_test_template";
/** First key of the two-key advisory lock ("Cost"); the second is hashtext(template name). */
const LOCK_CLASS = 0x436f7374;
const COMMENT_PREFIX = "costgate migrations sha256:";
const NAME_PREFIX = "costgate_test_";
const HOST_TAG = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);
let leftoversSwept = false;

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
  const migrationsDir = options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const template = options.templateName ?? DEFAULT_TEMPLATE;
  const migrations = readMigrations(migrationsDir);
  const name = `${NAME_PREFIX}${HOST_TAG}_${process.pid}_${randomBytes(4).toString("hex")}`;

  await withAdminClient(serverUrl, async (admin) => {
    if (!leftoversSwept) {
      leftoversSwept = true;
      await dropLeftovers(admin);
    }
    await admin.query("SELECT pg_advisory_lock($1::int, hashtext($2))", [LOCK_CLASS, template]);
    try {
      await ensureTemplate(admin, serverUrl, template, migrations);
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(template)}`);
    } finally {
      await admin.query("SELECT pg_advisory_unlock($1::int, hashtext($2))", [LOCK_CLASS, template]);
    }
  });

  return {
    url: databaseUrl(serverUrl, name),
    name,
    drop: () => withAdminClient(serverUrl, (admin) => dropDatabase(admin, name)),
  };
}

interface Migration {
  name: string;
  sql: string;
}

interface Migrations {
  list: Migration[];
  hash: string;
}

/** Reads `<dir>/<name>/migration.sql` in name order (Prisma's order) and hashes names and SQL. */
function readMigrations(dir: string): Migrations {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (error) {
    throw new Error(`createTestDatabase: cannot read the migrations folder ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const hash = createHash("sha256");
  const list: Migration[] = [];
  for (const entry of entries) {
    const file = join(dir, entry, "migration.sql");
    if (!statSync(join(dir, entry)).isDirectory()) continue;
    const sql = readFileSync(file, "utf8");
    hash.update(`${entry}\0${sql}\0`);
    list.push({ name: entry, sql });
  }
  return { list, hash: hash.digest("hex") };
}

/** (Re)builds the template when it is missing or was built from other migrations. Caller holds the lock. */
async function ensureTemplate(
  admin: pg.Client,
  serverUrl: string,
  template: string,
  migrations: Migrations,
): Promise<void> {
  const expected = COMMENT_PREFIX + migrations.hash;
  const { rows } = await admin.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [template],
  );
  if (rows[0]?.comment === expected) return;

  await dropDatabase(admin, template);
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(template)}`);
  try {
    await withAdminClient(databaseUrl(serverUrl, template), async (client) => {
      for (const migration of migrations.list) {
        try {
          await client.query(migration.sql);
        } catch (error) {
          throw new Error(`createTestDatabase: migration ${migration.name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
    });
  } catch (error) {
    await dropDatabase(admin, template);
    throw error;
  }
  // Written last: a template left half-built by a crash has no matching comment and is rebuilt.
  await admin.query(`COMMENT ON DATABASE ${admin.escapeIdentifier(template)} IS ${admin.escapeLiteral(expected)}`);
}

/** Drops the test databases of processes on this host that have exited (killed before drop()). */
async function dropLeftovers(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
    [`${NAME_PREFIX}${HOST_TAG}_`],
  );
  for (const { datname } of rows) {
    const pid = Number(datname.split("_")[3]);
    if (pid && !isAlive(pid)) await dropDatabase(admin, datname);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
}

async function withAdminClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(pgConfigFromUrl(url));
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `createTestDatabase: cannot connect to ${redact(url)} (${(error as Error).message}). ` +
        "Start PostgreSQL or set TEST_DATABASE_URL to a server where this user may create databases.",
      { cause: error },
    );
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
