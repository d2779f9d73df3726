#!/usr/bin/env node
// `npm start`: the whole stack on one machine, from a fresh clone.
//
//   1. installs dependencies when node_modules is missing (npm ci);
//   2. picks PostgreSQL (DATABASE_URL, else 127.0.0.1:5432, else an embedded server under .costgate/pg)
//      and Redis (REDIS_URL, else 127.0.0.1:6379, else a redis-server from PATH on a free port);
//   3. applies the migrations and runs the seed (admin user + a demo team);
//   4. starts the apps that exist (api, worker, web), waits until they answer, prints the URLs.
// Ctrl-C stops everything it started and exits 0.
//
// Plain Node with no dependencies at load time: it runs before `npm install`.
// COSTGATE_START_DRY_RUN=1 stops after step 2 and prints what it would run.
// COSTGATE_START_VERBOSE=1 shows PostgreSQL's and Redis's own logs.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDependencies } from "./start/dependencies.mjs";
import { httpStatus, isPortFree, waitFor } from "./start/net.mjs";
import { log, StartError } from "./start/output.mjs";
import { provisionDatabase } from "./start/postgres.mjs";
import { killAllSync, runToCompletion, runningProcesses, startProcess } from "./start/processes.mjs";
import { provisionRedis } from "./start/redis.mjs";
import { chooseWebMode, serviceTable } from "./start/services.mjs";

const startedAt = Date.now();
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stateDir = join(root, ".costgate");

/** Documented demo login, used when COSTGATE_ADMIN_EMAIL / COSTGATE_ADMIN_PASSWORD are unset. */
const DEMO_ADMIN = { email: "admin@costgate.local", password: "costgate-demo-password" };

/** The database and Redis in use, in start order; shutdown stops those it started, in reverse. */
const infrastructure = [];
let shuttingDown = false;

function loadDotEnv() {
  const file = join(root, ".env");
  // Variables already in the environment win over .env; an empty value means unset.
  if (existsSync(file)) process.loadEnvFile(file);
  for (const [key, value] of Object.entries(process.env)) if (value === "") delete process.env[key];
}

function settings(env) {
  const port = (name, fallback) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1 || value > 65535)
      throw new StartError(`${name} must be a port number (got ${env[name]})`);
    return value;
  };
  const ports = { api: port("API_PORT", 4000), worker: port("WORKER_METRICS_PORT", 9464), web: port("WEB_PORT", 3000) };
  return {
    dryRun: env.COSTGATE_START_DRY_RUN === "1",
    verbose: env.COSTGATE_START_VERBOSE === "1",
    ports,
    urls: Object.fromEntries(Object.entries(ports).map(([name, p]) => [name, `http://127.0.0.1:${p}`])),
    webMode: chooseWebMode(env.COSTGATE_WEB_MODE),
    admin: {
      email: env.COSTGATE_ADMIN_EMAIL ?? DEMO_ADMIN.email,
      password: env.COSTGATE_ADMIN_PASSWORD ?? DEMO_ADMIN.password,
    },
  };
}

/** A session secret kept in .costgate/ so logins survive restarts, unless one is configured. */
function sessionSecret(env) {
  if (env.COSTGATE_SESSION_SECRET) return env.COSTGATE_SESSION_SECRET;
  const file = join(stateDir, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(stateDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The key that encrypts webhook secrets, kept in .costgate/ so they still open after a restart, unless one is configured. */
function secretKey(env) {
  if (env.COSTGATE_SECRET_KEY) return env.COSTGATE_SECRET_KEY;
  const file = join(stateDir, "secret-key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(stateDir, { recursive: true });
  const key = randomBytes(32).toString("hex");
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The environment every app, the migrations and the seed get. */
function appEnvironment(config, database, redis) {
  // The API's /readyz wants the artifact folder to exist (a missing one is a volume not mounted).
  const artifactDir = resolve(root, process.env.ARTIFACT_DIR ?? ".costgate/artifacts");
  if (!config.dryRun) mkdirSync(artifactDir, { recursive: true });
  return {
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    API_PORT: String(config.ports.api),
    WORKER_METRICS_PORT: String(config.ports.worker),
    WEB_PORT: String(config.ports.web),
    COSTGATE_API_URL: config.urls.api,
    // One folder for api and worker alike, whatever their working directory.
    ARTIFACT_DIR: artifactDir,
    COSTGATE_SESSION_SECRET: sessionSecret(process.env),
    COSTGATE_SECRET_KEY: secretKey(process.env),
    CHECKPOINT_DISABLE: "1",
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

function seedEnvironment(config, env) {
  return {
    ...env,
    COSTGATE_ADMIN_EMAIL: config.admin.email,
    COSTGATE_ADMIN_PASSWORD: config.admin.password,
    COSTGATE_SEED_DEMO: env.COSTGATE_SEED_DEMO ?? "1",
  };
}

async function checkPortsFree(services, config) {
  for (const service of services) {
    const port = config.ports[service.name];
    if (port && !(await isPortFree(port))) {
      throw new StartError(
        `port ${port} (${service.name}) is already in use (an earlier npm start still running?): stop what uses it or set ${service.port}`,
      );
    }
  }
}

const migrateCommand = [process.execPath, [join(root, "scripts", "prisma.mjs"), "migrate", "deploy"]];
const seedCommand = [process.execPath, ["--import", "tsx", "prisma/seed.ts"]];

async function migrateAndSeed(config, env) {
  log.info("applying migrations (prisma migrate deploy)");
  await runToCompletion("migrate", ...migrateCommand, { cwd: root, env });
  if (!existsSync(join(root, "prisma", "seed.ts"))) {
    log.warn("prisma/seed.ts does not exist yet: no admin user or demo data");
    return;
  }
  const seedEnv = seedEnvironment(config, env);
  log.info(`seeding (admin ${config.admin.email}, demo team ${seedEnv.COSTGATE_SEED_DEMO === "1" ? "on" : "off"})`);
  await runToCompletion("seed", ...seedCommand, { cwd: root, env: seedEnv });
}

function printPlan(config, database, redis, services, env) {
  const show = ([cmd, args]) => [cmd === process.execPath ? "node" : cmd, ...args].join(" ");
  log.info("dry run (COSTGATE_START_DRY_RUN=1): would run");
  log.info(`  database   ${database.description}: ${redact(database.url)}`);
  log.info(`  redis      ${redis.description}: ${redis.url}`);
  log.info(`  migrate    ${show(migrateCommand)}`);
  log.info(
    `  seed       ${show(seedCommand)}  (COSTGATE_ADMIN_EMAIL=${config.admin.email} COSTGATE_SEED_DEMO=${seedEnvironment(config, env).COSTGATE_SEED_DEMO})`,
  );
  for (const service of services) {
    if (service.build) log.info(`  ${`${service.name} build`.padEnd(10)} ${show(service.build)}  (cwd ${service.cwd})`);
    log.info(`  ${service.name.padEnd(10)} ${show(service.command)}  (cwd ${service.cwd})`);
  }
  if (!services.length) log.info("  (no app to start yet: apps/api/src/main.ts does not exist)");
  log.info(
    `  env        DATABASE_URL REDIS_URL API_PORT=${env.API_PORT} WORKER_METRICS_PORT=${env.WORKER_METRICS_PORT} WEB_PORT=${env.WEB_PORT} ARTIFACT_DIR=${env.ARTIFACT_DIR} COSTGATE_SESSION_SECRET=(set) COSTGATE_SECRET_KEY=(set)`,
  );
}

function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

/** Builds what needs a build before it starts (the dashboard, when its production build is missing or older than its sources). */
async function buildServices(services, env) {
  for (const service of services.filter((s) => s.build)) {
    log.info(
      `building ${service.name} (${service.build.flat().join(" ")}): its build is missing or older than its sources; about a minute or two`,
    );
    await runToCompletion(`${service.name} build`, ...service.build, {
      cwd: service.cwd,
      env: { ...env, NODE_ENV: "production" },
    });
  }
}

async function startServices(services, env) {
  for (const service of services) {
    const [command, args] = service.command;
    service.process = startProcess(service.name, command, args, { cwd: service.cwd, env });
    service.process.exited.then((info) => {
      if (shuttingDown) return;
      const why = info.error ? info.error.message : info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
      log.error(`${service.name} stopped unexpectedly (${why}); stopping everything`);
      void shutdown(1);
    });
  }
  for (const service of services.filter((s) => s.health)) {
    await waitFor(async () => (await httpStatus(service.health)) === 200, {
      what: `${service.name} (${service.health})`,
      timeoutMs: 180_000,
      intervalMs: 500,
      abort: () => service.process.exitInfo && "exited before it answered",
    });
  }
}

function printBanner(config, database, redis, services) {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const lines = ["", `Costgate is running (ready in ${seconds} s)`, ""];
  for (const service of services) lines.push(...service.banner.map((l) => `  ${l}`));
  lines.push(`  Database  ${database.description}`);
  lines.push(`  Redis     ${redis.description}`);
  const demo = config.admin.email === DEMO_ADMIN.email && config.admin.password === DEMO_ADMIN.password;
  lines.push(
    demo
      ? `  Login     ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}  (demo values: set COSTGATE_ADMIN_EMAIL / COSTGATE_ADMIN_PASSWORD to change)`
      : `  Login     ${config.admin.email} / (the password in COSTGATE_ADMIN_PASSWORD)`,
  );
  lines.push("", "Press Ctrl-C to stop.", "");
  for (const line of lines) log.info(line);
}

/** Stops apps and tasks (newest first), then Redis and PostgreSQL; exits with `code`. */
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info("stopping…");
  for (const handle of runningProcesses()
    .filter((h) => !h.infrastructure)
    .reverse()) {
    const info = await handle.stop("SIGTERM", 15_000);
    if (info.code)
      log.warn(`${handle.name} exited with code ${info.code} while stopping: its last lines above say why`);
  }
  for (const part of [...infrastructure].reverse()) {
    try {
      await part.stop?.();
    } catch (error) {
      log.warn(`stopping ${part.description}: ${error.message}`);
    }
  }
  log.info("stopped");
  process.exit(code);
}

function installSignalHandlers() {
  let signals = 0;
  const onSignal = (signal) => {
    signals += 1;
    if (signals > 1) {
      log.warn(`${signal} again: killing everything now`);
      killAllSync();
      process.exit(1);
    }
    void shutdown(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, onSignal);
  process.on("exit", killAllSync);
}

async function main() {
  installSignalHandlers();
  loadDotEnv();
  ensureDependencies(root);
  const config = settings(process.env);
  const services = serviceTable(root, config).filter((service) => {
    if (!service.requires || existsSync(service.requires)) return true;
    log.warn(`${service.name} is not started: ${service.requires} is missing (run npm install)`);
    return false;
  });
  if (!config.dryRun) await checkPortsFree(services, config);

  const database = await provisionDatabase({ root, env: process.env, verbose: config.verbose });
  infrastructure.push(database);
  log.info(`database: ${database.description}`);
  const redis = await provisionRedis({ root, env: process.env, verbose: config.verbose });
  infrastructure.push(redis);
  log.info(`redis: ${redis.description}`);

  const env = appEnvironment(config, database, redis);
  if (config.dryRun) {
    printPlan(config, database, redis, services, env);
    await shutdown(0);
    return;
  }
  await migrateAndSeed(config, env);
  if (!services.length) {
    log.warn("no app to start yet (apps/api/src/main.ts does not exist); database and Redis are ready");
  }
  await buildServices(services, env);
  await startServices(services, env);
  printBanner(config, database, redis, services);
}

main().catch(async (error) => {
  if (shuttingDown) return;
  log.error(error instanceof StartError ? error.message : (error?.stack ?? String(error)));
  await shutdown(1);
});
