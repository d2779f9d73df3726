import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../logger.ts";
import { answerMetricsRequests } from "./cluster-metrics.ts";

export interface PrimaryOptions {
  /** API processes to keep running (API_PROCESSES). */
  processes: number;
  logger: Logger;
  /** SHUTDOWN_TIMEOUT_MS: each API process's own deadline; the primary kills what is left a little after it. */
  shutdownTimeoutMs: number;
  exit?: (code: number) => void;
}

/**
 * The primary of a clustered API (node:cluster): starts `processes` API processes that share its
 * port (the primary accepts connections and hands them out in turn), serves their /metrics
 * aggregation, and owns the signals.
 *
 * - An API process that stops unexpectedly after it has listened is replaced; one that stops
 *   before it ever listened (a bad variable, no database) stops them all: the primary exits 1.
 * - SIGTERM/SIGINT: passed to every API process, which stops as a single API does (requests in
 *   flight finish, new connections go to those still listening, then are refused); the primary
 *   exits once all have, 0 if all exited 0. Past SHUTDOWN_TIMEOUT_MS + 2 s, it kills what is left
 *   and exits 1.
 */
export function runPrimary({ processes, logger, shutdownTimeoutMs, exit = (c) => process.exit(c) }: PrimaryOptions) {
  const listened = new Set<number>();
  let stopping: NodeJS.Signals | null = null;
  let failed = false;

  const start = () => {
    const worker = cluster.fork();
    worker.once("listening", () => listened.add(worker.id));
  };
  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = signal;
    logger.info({ signal, processes: live().length }, "shutting down the API processes");
    for (const worker of live()) worker.process.kill("SIGTERM");
    setTimeout(() => {
      const left = live();
      logger.error({ pids: left.map((w) => w.process.pid) }, "API processes still running at the deadline: killed");
      for (const worker of left) worker.process.kill("SIGKILL");
      exit(1);
    }, shutdownTimeoutMs + 2_000).unref();
  };

  cluster.on("exit", (worker, code, signal) => {
    const wasListening = listened.delete(worker.id);
    if (stopping) {
      // One still starting has no handler yet: the signal ends it at once, which is a clean stop too.
      if (code !== 0 && !(signal === "SIGTERM" && !wasListening)) failed = true;
      if (live().length > 0) return;
      logger.info({ signal: stopping }, failed ? "stopped (an API process did not exit cleanly)" : "stopped");
      exit(failed ? 1 : 0);
      return;
    }
    if (!wasListening) {
      logger.error({ pid: worker.process.pid, code, signal }, "an API process exited before it listened: stopping");
      failed = true;
      stop("SIGTERM");
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, "an API process exited: starting another");
    start();
  });
  for (const s of ["SIGTERM", "SIGINT"] as const) process.on(s, () => stop(s));
  answerMetricsRequests();
  for (let i = 0; i < processes; i++) start();
}
