import type { Server } from "node:http";

/** An HTTP server that stops without cutting a request (lifecycle.mjs). */
export declare class HttpDrain {
  /** Track from the start: construct it right after the server, before it listens. */
  constructor(server: Server, lingerMs?: number);
  /** Stops accepting, lets requests finish for up to graceMs, then closes what is left; resolves once every connection is closed. */
  close(graceMs: number): Promise<{ cut: number }>;
}

/** The part of a pino logger shutdown writes to. */
interface ShutdownLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

interface StopOnSignalsOptions {
  logger: ShutdownLogger;
  /** Stops accepting work, drains it and closes every resource the process opened. */
  stop: (signal: NodeJS.Signals) => Promise<void>;
  /** The whole stop must be over in this long; past it, what is still open is logged and the process exits 1. */
  timeoutMs: number;
  exit?: (code: number) => void;
}

/** SIGTERM / SIGINT: stop, then exit 0 once nothing is open; past timeoutMs (or when stop fails) log what is open and exit 1. */
export declare function stopOnSignals(options: StopOnSignalsOptions): void;
