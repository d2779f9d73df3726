import net from "node:net";
import type { IncomingMessage, Server, ServerResponse } from "node:http";

export interface DrainOutcome {
  /** Requests still running at the grace deadline, whose connections were closed under them. */
  cut: number;
}

/**
 * Stops an HTTP server without cutting a request, keep-alive clients included.
 *
 * `server.close()` of Node (and Apollo's drain plugin) closes every keep-alive connection that
 * is between two requests at once. A busy client has often already sent its next request on
 * such a connection (in flight, or waiting in the kernel while the server runs other requests):
 * it is reset. Here instead the listener closes (new connections are refused), every request
 * that arrives on an open connection is still served, with `Connection: close`, and a connection
 * is closed only after it has stayed quiet for `lingerMs`. Requests still running after
 * `graceMs` have their connections closed and are counted as cut.
 *
 * Track from the start: construct it right after the server, before it listens.
 */
export class HttpDrain {
  /** Requests in progress on each open connection. */
  private readonly open = new Map<net.Socket, Set<ServerResponse>>();
  /** Bytes each connection had read when its last request ended: more since is a request arriving. */
  private readonly readWhenIdle = new WeakMap<net.Socket, number>();
  private closing = false;

  constructor(
    private readonly server: Server,
    private readonly lingerMs = 250,
  ) {
    server.on("connection", (socket: net.Socket) => {
      this.open.set(socket, new Set());
      this.readWhenIdle.set(socket, 0);
      socket.once("close", () => this.open.delete(socket));
      if (this.closing) this.closeWhenQuiet(socket);
    });
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const running = this.open.get(req.socket);
      if (!running) return;
      running.add(res);
      if (this.closing) res.setHeader("connection", "close");
      res.once("close", () => {
        running.delete(res);
        if (running.size > 0) return;
        this.readWhenIdle.set(req.socket, req.socket.bytesRead);
        if (this.closing) this.closeWhenQuiet(req.socket);
      });
    });
  }

  /** Connections open now (for tests and logs). */
  get connections(): number {
    return this.open.size;
  }

  /**
   * Stops accepting, lets requests finish for up to `graceMs`, then closes what is left.
   * Resolves once every connection is closed.
   */
  async close(graceMs: number): Promise<DrainOutcome> {
    if (this.closing) throw new Error("HttpDrain.close called twice");
    this.closing = true;
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      // After this turn's poll phase: connections the kernel completed before the signal are
      // accepted first (closing the listener resets those still in its queue). net.Server's
      // close, not http.Server's: that one would also drop the idle keep-alive connections at
      // once (see the class comment). Resolves when the last connection closes.
      setImmediate(() => net.Server.prototype.close.call(this.server, () => resolve()));
    });
    for (const [socket, running] of this.open) {
      for (const res of running) if (!res.headersSent) res.setHeader("connection", "close");
      if (running.size === 0) this.closeWhenQuiet(socket);
    }
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"grace over">((resolve) => {
      timer = setTimeout(() => resolve("grace over"), graceMs);
    });
    const first = await Promise.race([closed.then(() => "closed" as const), graceOver]);
    clearTimeout(timer);
    if (first === "closed") return { cut: 0 };
    let cut = 0;
    for (const [socket, running] of this.open) {
      cut += running.size;
      socket.destroy();
    }
    await closed;
    return { cut };
  }

  /**
   * Closes a connection that is between requests once it has stayed so for lingerMs. One that
   * is serving or receiving a request is left alone: its response says Connection: close.
   */
  private closeWhenQuiet(socket: net.Socket): void {
    setTimeout(() => {
      const running = this.open.get(socket);
      if (!running || running.size > 0) return; // closed already, or serving a request
      if (socket.bytesRead !== this.readWhenIdle.get(socket)) return; // a request is arriving
      socket.destroy();
    }, this.lingerMs).unref();
  }
}
