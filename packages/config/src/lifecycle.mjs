// How a Costgate process stops: HttpDrain (an HTTP server that stops without cutting a request)
// and stopOnSignals (SIGTERM/SIGINT with a deadline, reporting what is still open). Plain
// JavaScript with its types in lifecycle.d.mts: the dashboard's server.mjs runs under plain Node,
// without tsx, and imports it as `@costgate/config/lifecycle`; the TypeScript apps through the
// package's entry point.
import { ChildProcess } from "node:child_process";
import net from "node:net";
import { setImmediate } from "node:timers";

/**
 * Stops an HTTP server without cutting a request, keep-alive clients included.
 *
 * `server.close()` of Node (and Apollo's drain plugin) closes every keep-alive connection that
 * is between two requests at once. A busy client has often already sent its next request on
 * such a connection (in flight, or waiting in the kernel while the server runs other requests):
 * it is reset. Here instead the listener closes (new connections are refused), every request
 * that arrives on an open connection is still served, with `Connection: close`, and a connection
 * is closed only after it has stayed between requests for `lingerMs`. Requests still running
 * after `graceMs` have their connections closed and are counted as cut.
 *
 * Track from the start: construct it right after the server, before it listens.
 */
export class HttpDrain {
  /** @type {Map<net.Socket, Set<import("node:http").ServerResponse>>} requests in progress on each open connection */
  #open = new Map();
  /** @type {WeakMap<net.Socket, number>} bytes read when its last request ended: more since is a request arriving */
  #readWhenIdle = new WeakMap();
  #closing = false;
  #server;
  #lingerMs;

  /** @param {import("node:http").Server} server */
  constructor(server, lingerMs = 250) {
    this.#server = server;
    this.#lingerMs = lingerMs;
    server.on("connection", (/** @type {net.Socket} */ socket) => {
      this.#open.set(socket, new Set());
      this.#readWhenIdle.set(socket, 0);
      socket.once("close", () => this.#open.delete(socket));
      if (this.#closing) this.#closeWhenQuiet(socket);
    });
    server.on("request", (req, res) => {
      const running = this.#open.get(req.socket);
      if (!running) return;
      running.add(res);
      if (this.#closing) res.setHeader("connection", "close");
      res.once("close", () => {
        running.delete(res);
        if (running.size > 0) return;
        this.#readWhenIdle.set(req.socket, req.socket.bytesRead);
        if (this.#closing) this.#closeWhenQuiet(req.socket);
      });
    });
  }

  /**
   * Stops accepting, lets requests finish for up to `graceMs`, then closes what is left.
   * Resolves once every connection is closed, with the number of requests cut.
   * @param {number} graceMs
   * @returns {Promise<{ cut: number }>}
   */
  async close(graceMs) {
    if (this.#closing) throw new Error("HttpDrain.close called twice");
    this.#closing = true;
    const closed = new Promise((resolve) => {
      if (!this.#server.listening) return resolve(undefined);
      // After this turn's poll phase: connections the kernel completed before the signal are
      // accepted first (closing the listener resets those still in its queue). net.Server's
      // close, not http.Server's: that one would also drop the idle keep-alive connections at
      // once (see the class comment). Resolves when the last connection closes.
      setImmediate(() => net.Server.prototype.close.call(this.#server, () => resolve(undefined)));
    });
    for (const [socket, running] of this.#open) {
      for (const res of running) if (!res.headersSent) res.setHeader("connection", "close");
      if (running.size === 0) this.#closeWhenQuiet(socket);
    }
    let timer;
    const graceOver = new Promise((resolve) => {
      timer = setTimeout(() => resolve("grace over"), graceMs);
    });
    const first = await Promise.race([closed.then(() => "closed"), graceOver]);
    clearTimeout(timer);
    if (first === "closed") return { cut: 0 };
    let cut = 0;
    for (const [socket, running] of this.#open) {
      cut += running.size;
      socket.destroy();
    }
    await closed;
    return { cut };
  }

  /** Closes a connection between requests once it has stayed so for lingerMs; one serving or receiving a request is left alone (its response says Connection: close). */
  #closeWhenQuiet(/** @type {net.Socket} */ socket) {
    setTimeout(() => {
      const running = this.#open.get(socket);
      if (!running || running.size > 0) return; // closed already, or serving a request
      if (socket.bytesRead !== this.#readWhenIdle.get(socket)) return; // a request is arriving
      socket.destroy();
    }, this.#lingerMs).unref();
  }
}

/**
 * Graceful shutdown on SIGTERM / SIGINT with a deadline. The process exits 0 by itself once
 * `stop` has resolved and nothing is left open (no process.exit that would hide a socket or a
 * timer someone forgot); when `stop` fails, or anything is still open at the deadline, it logs
 * what (sockets with their addresses, servers, child processes, timers) and exits 1.
 * @param {Parameters<typeof import("./lifecycle.d.mts").stopOnSignals>[0]} options
 */
export function stopOnSignals({ logger, stop, timeoutMs, exit = (code) => process.exit(code) }) {
  /** @type {NodeJS.Signals | null} */
  let stopping = null;
  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    if (stopping) {
      logger.info({ signal }, `already stopping (since ${stopping})`);
      return;
    }
    stopping = signal;
    logger.info({ signal, timeoutMs }, "shutting down");
    // Referenced while stop() runs: a stop() waiting on something that holds no handle would otherwise end the process as if it had finished.
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
      (err) => {
        clearTimeout(deadline);
        logger.error({ err, open: describeOpenHandles() }, "error during shutdown");
        exit(1);
      },
    );
  };
  for (const signal of /** @type {const} */ (["SIGTERM", "SIGINT"])) process.on(signal, onSignal);
}

/**
 * What keeps the event loop alive, in words an operator can act on.
 * @returns {string[]}
 */
function describeOpenHandles() {
  // Undocumented, but the one way to name the sockets, servers and child processes.
  const handles = /** @type {unknown[]} */ (process._getActiveHandles?.() ?? []);
  const stdio = new Set([process.stdin, process.stdout, process.stderr]);
  const described = handles.filter((h) => !stdio.has(/** @type {never} */ (h))).map(describeHandle);
  // Timers are not among the handles; the resource list names them (and pending requests) by kind.
  const other = process.getActiveResourcesInfo().filter((kind) => !/^(TCP|Pipe|TTY|Process|Signal)/.test(kind));
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const kind of other) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...described, ...[...counts].map(([kind, n]) => `${n} × ${kind}`)];
}

/** @param {unknown} h */
function describeHandle(h) {
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
  return /** @type {object | null} */ (h)?.constructor?.name ?? typeof h;
}
