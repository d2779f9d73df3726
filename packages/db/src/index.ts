export { createDb, type Db } from "./client.ts";
export { pgConfigFromUrl } from "./pg-config.ts";
export { seedDatabase } from "./seed.ts";
export * from "@prisma/client";
export { createTestDatabase, type TestDatabase } from "./test-database.ts";
