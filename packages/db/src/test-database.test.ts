import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { pgConfigFromUrl } from "./pg-config.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

// Integration test against the real PostgreSQL (TEST_DATABASE_URL or 127.0.0.1:5432). It uses its
// own migrations folder and template so it neither depends on nor disturbs the real schema.
const migrationsDir = mkdtempSync(join(tmpdir(), "costgate-migrations-"));
const templateName = `costgate_test_template_selftest_${process.pid}`;
const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const created: TestDatabase[] = [];

function addMigration(name: string, sql: string): void {
  mkdirSync(join(migrationsDir, name));
  writeFileSync(join(migrationsDir, name, "migration.sql"), sql);
}

async function create(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrationsDir, templateName });
  created.push(db);
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(pgConfigFromUrl(url));
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const rows = await query(serverUrl, "SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return rows.length === 1;
}

addMigration("20260101000000_notes", "CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL);");

afterAll(async () => {
  await Promise.all(created.map((db) => db.drop()));
  await query(serverUrl, `DROP DATABASE IF EXISTS "${templateName}" WITH (FORCE)`);
  rmSync(migrationsDir, { recursive: true, force: true });
});

describe("createTestDatabase", () => {
  it("gives each caller its own migrated database, even when called in parallel", async () => {
    const [a, b, c] = await Promise.all([create(), create(), create()]);
    expect(new Set([a!.name, b!.name, c!.name]).size).toBe(3);

    await query(a!.url, "INSERT INTO note (body) VALUES ('only in a')");

    expect(await query(a!.url, "SELECT body FROM note")).toEqual([{ body: "only in a" }]);
    expect(await query(b!.url, "SELECT body FROM note")).toEqual([]);
    expect(await query(c!.url, "SELECT body FROM note")).toEqual([]);
  });

  it("drop() removes the database even while a connection is open, and can be called twice", async () => {
    const db = await create();
    const open = new pg.Client(pgConfigFromUrl(db.url));
    open.on("error", () => {}); // the server terminates this connection
    await open.connect();

    await db.drop();
    await db.drop();

    expect(await databaseExists(db.name)).toBe(false);
    await open.end().catch(() => {});
  });

  it("rebuilds the template when the migrations change", async () => {
    const before = await create();
    addMigration("20260102000000_done", "ALTER TABLE note ADD COLUMN done boolean NOT NULL DEFAULT false;");

    const after = await create();
    await query(after.url, "INSERT INTO note (body) VALUES ('x')");

    expect(await query(after.url, "SELECT body, done FROM note")).toEqual([{ body: "x", done: false }]);
    const columns = await query(
      before.url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'note'",
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual(["body", "id"]);
  });

  it("names the migration that failed and leaves no broken template behind", async () => {
    addMigration("20260103000000_broken", "ALTER TABLE missing_table ADD COLUMN x int;");

    await expect(create()).rejects.toThrow(/migration 20260103000000_broken failed: .*missing_table/);
    expect(await databaseExists(templateName)).toBe(false);

    rmSync(join(migrationsDir, "20260103000000_broken"), { recursive: true });
  });
});

describe("createTestDatabase cleans up after killed test runs", () => {
  it("drops databases left by processes of this host that have exited, and only those", async () => {
    const hostTag = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);
    const deadPid = Number(
      spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout,
    );
    const orphan = `costgate_test_${hostTag}_${deadPid}_00000000`;
    const live = `costgate_test_${hostTag}_${process.pid}_11111111`;
    await query(serverUrl, `CREATE DATABASE "${orphan}"`);
    await query(serverUrl, `CREATE DATABASE "${live}"`);
    try {
      // A fresh module instance, as in a new test process: the sweep runs on its first call.
      vi.resetModules();
      const fresh = await import("./test-database.ts");
      created.push(await fresh.createTestDatabase({ migrationsDir, templateName }));

      expect(await databaseExists(orphan)).toBe(false);
      expect(await databaseExists(live)).toBe(true);
    } finally {
      await query(serverUrl, `DROP DATABASE IF EXISTS "${orphan}"`);
      await query(serverUrl, `DROP DATABASE IF EXISTS "${live}"`);
    }
  });
});

describe("createTestDatabase with the repository's migrations", () => {
  it("creates a database holding the Prisma schema's tables", async () => {
    const db = await createTestDatabase();
    created.push(db);
    const rows = await query<{ n: number }>(
      db.url,
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});
