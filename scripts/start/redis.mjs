// Picks the Redis `npm start` uses:
//   1. REDIS_URL, when set;
//   2. the local Redis on 127.0.0.1:6379, when it answers PING;
//   3. a redis-server found on PATH, started on a free port (no persistence, files under .costgate/redis).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { freePort, redisPing, waitFor } from "./net.mjs";
import { logger, StartError } from "./output.mjs";
import { isAlive, startProcess } from "./processes.mjs";

const redisLog = logger("redis");

/** Returns { url, description, stop?() }. */
export async function provisionRedis({ root, env, verbose }) {
  if (env.REDIS_URL) return { url: env.REDIS_URL, description: "REDIS_URL" };
  const reply = await redisPing("127.0.0.1", 6379);
  if (reply === "+PONG") return { url: "redis://127.0.0.1:6379", description: "local Redis on 127.0.0.1:6379" };
  if (reply)
    redisLog.warn(
      `127.0.0.1:6379 answers "${reply}" instead of PONG; starting a Redis of our own (set REDIS_URL to use that one)`,
    );
  return startRedisServer(root, verbose);
}

async function startRedisServer(root, verbose) {
  const binary = findOnPath("redis-server");
  if (!binary) {
    throw new StartError(
      "No Redis: REDIS_URL is not set, nothing answers PING on 127.0.0.1:6379, and there is no redis-server on PATH. " +
        "Install Redis 7 (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.",
    );
  }
  const dir = join(root, ".costgate", "redis");
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, "redis.pid");
  await stopLeftover(pidFile);
  const port = await freePort(6380);
  const handle = startProcess(
    "redis",
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--pidfile",
      pidFile,
      "--maxmemory-policy",
      "noeviction",
    ],
    { infrastructure: true, show: (line) => verbose || /\b(error|fatal|failed)\b/i.test(line) },
  );
  try {
    await waitFor(async () => (await redisPing("127.0.0.1", port, 500)) === "+PONG", {
      what: `redis-server on port ${port}`,
      timeoutMs: 15_000,
      abort: () => handle.exitInfo && `exited during start-up:\n${handle.recent().join("\n")}`,
    });
  } catch (error) {
    await handle.stop();
    throw new StartError(error.message);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    description: `redis-server on 127.0.0.1:${port} (started by npm start, not persisted)`,
    stop: () => handle.stop("SIGTERM"),
  };
}

function findOnPath(command) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return null;
}

/** A redis-server left running by an earlier run that was killed: stop it. */
async function stopLeftover(pidFile) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!pid || !isAlive(pid)) return;
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, "utf8") : "redis-server";
  if (!cmdline.includes("redis-server")) return;
  redisLog.info(`stopping the redis-server left running by an earlier npm start (pid ${pid})`);
  process.kill(pid, "SIGTERM");
  await waitFor(() => !isAlive(pid), { what: `redis-server pid ${pid}`, timeoutMs: 10_000 });
}
