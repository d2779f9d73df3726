// Prisma CLI configuration. The JavaScript schema engine with the pg driver adapter
// works offline (the classic engine downloads a binary at first use).
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { pgConfigFromUrl } from "./packages/db/src/pg-config.ts";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "tsx prisma/seed.ts" },
  async adapter() {
    const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/costgate";
    return new PrismaPg(pgConfigFromUrl(url));
  },
});
