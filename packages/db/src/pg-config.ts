import type { PoolConfig } from "pg";

/**
 * Splits a postgres URL into the fields the pg driver adapter wants. The Prisma CLI's
 * JavaScript schema engine mishandles a plain connectionString, so both the CLI config and
 * the run-time client build their adapter from this one function.
 */
export function pgConfigFromUrl(url: string): PoolConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`DATABASE_URL is not a valid URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "postgresql:" && parsed.protocol !== "postgres:") {
    throw new Error(`DATABASE_URL must start with postgresql:// (got ${parsed.protocol}//)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  const config: PoolConfig = {
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || "postgres",
    database: database || "postgres",
  };
  if (parsed.password) config.password = decodeURIComponent(parsed.password);
  const schema = parsed.searchParams.get("schema");
  if (schema) config.options = `-c search_path="${schema.replace(/"/g, "")}"`;
  return config;
}
