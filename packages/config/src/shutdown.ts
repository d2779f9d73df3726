import { ChildProcess } from "node:child_process";
import net from "node:net";

/** The part of a pino logger shutdown writes to. */
interface ShutdownLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface StopOnSignalsOptions {
  logger: ShutdownLogger;
  /** Stops accepting work, drains it and closes every resource the process opened. */
  stop: (signal: NodeJS.Signals) => Promise<void>;
  /** The whole stop must be over in this long; past it, what is still open is logged and the process exits 1. */
  timeoutMs: number;
  exit?: (code: number) => void;
}

/**
 * Graceful shutdown on SIGTERM / SIGINT with a deadline. The process exits 0 by itself once
 * `stop` has resolved and nothing is left open (no process.exit that would hide a socket or a
 * timer someone forgot); when `stop` fails, or anything is still open at the deadline, it logs
 * what (sockets with their addresses, servers, child processes, timers) and exits 1.
 */
export function stopOnSignals({ logger, stop, timeoutMs, exit = (c) => process.exit(c) }: StopOnSignalsOptions): void {
  let stopping: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info({ signal }, `already stopping (since ${stopping})`);
      return;
    }
    stopping = signal;
    logger.info({ signal, timeoutMs }, "shutting down");
    // Referenced while stop() runs: a stop() that waits on something holding no handle would otherwise let the process end as if it had finished.
    const deadline = setTimeout(() => {
      logger.error(
        { signal, timeoutMs, open: describeOpenHandles() },
        `shutdown did not finish within ${timeoutMs} ms; still open: see "open"`,
      );
      exit(1);
    }, timeoutMs);
    stop(signal).then(
      () => {
        logger.info({ signal }, "stopped");
        process.exitCode = 0;
        // Nothing left open: the process ends now. Something left open: the deadline reports it.
        deadline.unref();
      },
      (err: unknown) => {
        clearTimeout(deadline);
        logger.error({ err, open: describeOpenHandles() }, "error during shutdown");
        exit(1);
      },
    );
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, onSignal);
}

/** What keeps the event loop alive, in words an operator can act on. */
export function describeOpenHandles(): string[] {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  const stdio = new Set<unknown>([process.stdin, process.stdout, process.stderr]);
  const described = handles.filter((h) => !stdio.has(h)).map(describeHandle);
  // Timers do not appear among handles; the resource list names them (and pending requests) by kind.
  const other = process.getActiveResourcesInfo().filter((kind) => !/^(TCP|Pipe|TTY|Process|Signal)/.test(kind));
  const counts = new Map<string, number>();
  for (const kind of other) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...described, ...[...counts].map(([kind, n]) => `${n} × ${kind}`)];
}

function describeHandle(h: unknown): string {
  if (h instanceof net.Server) {
    const a = h.address();
    return `server listening on ${typeof a === "string" ? a : a ? `${a.address}:${a.port}` : "(not listening)"}`;
  }
  if (h instanceof net.Socket) {
    if (h.remotePort !== undefined)
      return `connection ${h.localAddress}:${h.localPort} -> ${h.remoteAddress}:${h.remotePort}`;
    return "socket (pipe or unconnected)";
  }
  if (h instanceof ChildProcess) return `child process ${h.pid} (${h.spawnargs.slice(0, 3).join(" ")})`;
  return (h as object | null)?.constructor?.name ?? typeof h;
}
