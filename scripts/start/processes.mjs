// Child processes started by `npm start`. Each runs in its own process group (detached), so a
// Ctrl-C reaches only this script, which then stops the children in order: apps first, then
// Redis and PostgreSQL, which the apps still need while they shut down gracefully.
import { spawn } from "node:child_process";
import { log, pipeLines, StartError } from "./output.mjs";

const running = new Set();

/**
 * Starts `command args` with its output prefixed by `name`. Returns a handle:
 * { name, child, exited: Promise<{code, signal}>, exitInfo (null while running), recent lines, stop() }.
 * `infrastructure` marks PostgreSQL and Redis, which shutdown stops after the apps.
 */
export function startProcess(name, command, args, { cwd, env, uid, gid, show, infrastructure = false } = {}) {
  const child = spawn(command, args, {
    cwd,
    env,
    uid,
    gid,
    detached: process.platform !== "win32",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const recent = pipeLines(name, child.stdout, { show });
  const recentErr = pipeLines(name, child.stderr, { show });
  const handle = {
    name,
    child,
    infrastructure,
    exitInfo: null,
    recent: () => [...recent, ...recentErr].slice(-20),
    exited: null,
    stop: (signal = "SIGTERM", timeoutMs = 15_000) => stopProcess(handle, signal, timeoutMs),
  };
  handle.exited = new Promise((resolve) => {
    child.once("error", (error) => {
      handle.exitInfo = { code: null, signal: null, error };
      running.delete(handle);
      resolve(handle.exitInfo);
    });
    child.once("exit", (code, signal) => {
      handle.exitInfo = { code, signal };
      running.delete(handle);
      resolve(handle.exitInfo);
    });
  });
  running.add(handle);
  return handle;
}

function signalGroup(handle, signal) {
  const pid = handle.child.pid;
  if (!pid) return;
  try {
    process.kill(process.platform === "win32" ? pid : -pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Sends `signal` to the child's process group; SIGKILL after timeoutMs. Resolves once it has
 * exited. The apps stop by themselves within SHUTDOWN_TIMEOUT_MS (8 s by default, exiting 1 with
 * what was left open when they cannot): the kill is a last resort, and said.
 */
async function stopProcess(handle, signal, timeoutMs) {
  if (handle.exitInfo) return handle.exitInfo;
  signalGroup(handle, signal);
  const timer = setTimeout(() => {
    log.warn(`${handle.name} did not stop within ${timeoutMs / 1000} s of ${signal}: killing it (SIGKILL)`);
    signalGroup(handle, "SIGKILL");
  }, timeoutMs);
  const info = await handle.exited;
  clearTimeout(timer);
  return info;
}

/** Processes still running, oldest first. */
export function runningProcesses() {
  return [...running];
}

/** Last resort when this script exits without a clean stop (an uncaught error): no child outlives it. */
export function killAllSync() {
  for (const handle of running) signalGroup(handle, "SIGKILL");
}

/** Runs a command to completion with prefixed output; rejects when it does not exit 0. */
export async function runToCompletion(name, command, args, options) {
  const handle = startProcess(name, command, args, options);
  const { code, signal, error } = await handle.exited;
  if (code === 0) return;
  const why = error ? error.message : signal ? `killed by ${signal}` : `exit code ${code}`;
  throw new StartError(`${name} failed (${why}); its output is above`);
}

/** Whether a pid from an old pid file still runs. */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
