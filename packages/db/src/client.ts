import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { pgConfigFromUrl } from "./pg-config.ts";

export type Db = PrismaClient;

/** One PrismaClient per process (per test database in tests), over the pg driver adapter. */
export function createDb(databaseUrl: string, opts: { maxConnections?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ ...pgConfigFromUrl(databaseUrl), max: opts.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}
