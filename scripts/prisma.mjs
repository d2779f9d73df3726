#!/usr/bin/env node
// Runs the Prisma CLI offline: `node scripts/prisma.mjs <args>` (e.g. `generate`, `migrate deploy`).
//
// Prisma 6.19 with engineType "client" and the JavaScript schema engine needs no binary, yet
// the CLI still tries to download a query engine unless PRISMA_QUERY_ENGINE_LIBRARY names an
// existing file, and it phones home unless CHECKPOINT_DISABLE=1 (docs/ARCHITECTURE.md, "Platform notes"). Both are set
// here, once, so `postinstall`, `db:*`, `npm start` and the test template all behave the same.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, "node_modules", "prisma", "build", "index.js");

if (!existsSync(cli)) {
  console.error(`prisma CLI not found at ${cli}: run npm install first.`);
  process.exit(1);
}

const env = { ...process.env };
env.CHECKPOINT_DISABLE ??= "1";
env.PRISMA_HIDE_UPDATE_MESSAGE ??= "1";
// Any existing file will do: with engineType "client" the library is never loaded.
if (!env.PRISMA_QUERY_ENGINE_LIBRARY || !existsSync(env.PRISMA_QUERY_ENGINE_LIBRARY)) {
  env.PRISMA_QUERY_ENGINE_LIBRARY = cli;
}

const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
