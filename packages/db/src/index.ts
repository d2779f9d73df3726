export { createDb, type Db } from "./client.ts";
export { pgConfigFromUrl } from "./pg-config.ts";
export { seedDatabase, HARDWARE_PROFILES, DEMO_TEAM, type SeedOptions } from "./seed.ts";
export * from "@prisma/client";
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from "./test-database.ts";
