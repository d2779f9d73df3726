import { PrismaClient, type Prisma } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { pgConfigFromUrl } from "./pg-config.ts";

export type Db = PrismaClient;

interface DbOptions {
  maxConnections?: number;
  /** Called with every SQL statement the client sends (tests count them); no query logging without it. */
  onQuery?: (event: Prisma.QueryEvent) => void;
}

/** One PrismaClient per process (per test database in tests), over the pg driver adapter. */
export function createDb(databaseUrl: string, opts: DbOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ ...pgConfigFromUrl(databaseUrl), max: opts.maxConnections ?? 10 });
  if (!opts.onQuery) return new PrismaClient({ adapter });
  const db = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  db.$on("query", opts.onQuery);
  return db;
}
