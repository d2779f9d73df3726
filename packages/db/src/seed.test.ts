import { afterAll, afterEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@costgate/secrets";
import { createDb, type Db } from "./client.ts";
import { DEMO_TEAM, HARDWARE_PROFILES, seedDatabase } from "./seed.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

// Each test seeds its own database, cloned from the migrated template on the real PostgreSQL.
const opened: { database: TestDatabase; db: Db }[] = [];
async function freshDb(): Promise<Db> {
  const database = await createTestDatabase();
  const db = createDb(database.url, { maxConnections: 2 });
  opened.push({ database, db });
  return db;
}
afterEach(async () => {
  for (const { db } of opened) await db.$disconnect();
});
afterAll(async () => {
  await Promise.all(opened.map(({ database }) => database.drop()));
});

const options = { adminEmail: "Admin@Example.COM", adminPassword: "a-strong-admin-password", demo: true };

describe("seedDatabase", () => {
  it("creates one admin, four profiles with one default and one demo team, however often it runs", async () => {
    const db = await freshDb();
    expect(await seedDatabase(db, options)).toEqual({ adminCreated: true, profilesCreated: 4, demoTeamCreated: true });
    expect(await seedDatabase(db, options)).toEqual({
      adminCreated: false,
      profilesCreated: 0,
      demoTeamCreated: false,
    });

    const users = await db.user.findMany();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: "admin@example.com", role: "ADMIN", teamId: null });
    expect(users[0]!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(users[0]!.passwordHash, options.adminPassword)).toBe(true);

    const profiles = await db.hardwareProfile.findMany({ orderBy: { name: "asc" } });
    expect(profiles.map((p) => p.name)).toEqual(HARDWARE_PROFILES.map((p) => p.name).sort());
    expect(profiles.filter((p) => p.isDefault).map((p) => [p.name, p.hourlyPriceUsd.toFixed()])).toEqual([
      ["c7i.large", "0.08925"],
    ]);
    expect(profiles.every((p) => p.priceSource && p.priceSource.length > 0)).toBe(true);

    expect(await db.team.findMany({ select: { slug: true, name: true } })).toEqual([
      { slug: DEMO_TEAM.slug, name: DEMO_TEAM.name },
    ]);
    const audit = await db.auditEvent.findMany({ orderBy: { action: "asc" } });
    expect(audit.map((e) => [e.action, e.actor])).toEqual([
      ["team.create", "system"],
      ["user.create", "system"],
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/passwordHash|argon2/);
  });

  it("leaves what exists alone: an edited price, another default, the admin's password", async () => {
    const db = await freshDb();
    await seedDatabase(db, { ...options, demo: false });
    await db.hardwareProfile.update({
      where: { name: "c7i.large" },
      data: { hourlyPriceUsd: "0.1", isDefault: false },
    });
    await db.hardwareProfile.update({ where: { name: "m7i.xlarge" }, data: { isDefault: true } });
    await db.hardwareProfile.delete({ where: { name: "g5.xlarge" } });

    const result = await seedDatabase(db, { ...options, adminPassword: "a-different-password-now", demo: false });
    expect(result).toEqual({ adminCreated: false, profilesCreated: 1, demoTeamCreated: false });

    const profiles = await db.hardwareProfile.findMany();
    expect(profiles).toHaveLength(4);
    expect(profiles.find((p) => p.name === "c7i.large")!.hourlyPriceUsd.toFixed()).toBe("0.1");
    // The re-created g5.xlarge does not become a second default.
    expect(profiles.filter((p) => p.isDefault).map((p) => p.name)).toEqual(["m7i.xlarge"]);
    expect(profiles.find((p) => p.name === "g5.xlarge")!.hourlyPriceUsd.toFixed()).toBe("1.006");

    const admin = await db.user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
    expect(await verifyPassword(admin.passwordHash, options.adminPassword)).toBe(true);
    expect(await verifyPassword(admin.passwordHash, "a-different-password-now")).toBe(false);
    expect(await db.team.count()).toBe(0);
  });

  it("refuses a weak admin password with a message, creating nothing", async () => {
    const db = await freshDb();
    await expect(seedDatabase(db, { ...options, adminPassword: "short" })).rejects.toThrow(
      /password must be at least 12 characters/,
    );
    expect(await db.user.count()).toBe(0);
    expect(await db.hardwareProfile.count()).toBe(0);
    expect(await db.team.count()).toBe(0);
  });

  it("refuses an admin email that is not an email address, naming the variable", async () => {
    const db = await freshDb();
    await expect(seedDatabase(db, { ...options, adminEmail: "admin" })).rejects.toThrow(
      /COSTGATE_ADMIN_EMAIL is not an email address: "admin"/,
    );
    expect(await db.user.count()).toBe(0);
  });
});
