// HTTP load for shutdown tests: concurrent clients, some reusing one keep-alive connection,
// others a new connection per request, each recording what happened to every request. Bounded:
// every client stops by itself after maxRequests or maxMs, or once connections are refused.
import http from "node:http";
import net from "node:net";
import { until } from "./until.ts";

export interface LoadRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface RequestOutcome {
  /** Whether the request went over a reused keep-alive connection (else a new one). */
  keepAlive: boolean;
  sentAt: number;
  endedAt: number;
  /** The HTTP status when a complete response came back. */
  status?: number;
  /** The connection-level error otherwise (ECONNREFUSED, ECONNRESET, "socket hang up"...). */
  error?: string;
}

export interface HttpLoad {
  /** Requests answered so far. */
  answered(): number;
  /** Resolves with every outcome once all clients have stopped. */
  done: Promise<RequestOutcome[]>;
  /** Asks the clients to stop after their current request. */
  stop(): Promise<RequestOutcome[]>;
}

interface LoadOptions {
  url: string;
  request: LoadRequest;
  /** Clients that each keep one connection alive across requests. */
  keepAliveClients: number;
  /** Clients that open a new connection per request. */
  freshClients: number;
  maxRequests?: number;
  maxMs?: number;
}

function startHttpLoad(opts: LoadOptions): HttpLoad {
  const outcomes: RequestOutcome[] = [];
  const deadline = Date.now() + (opts.maxMs ?? 30_000);
  const maxRequests = opts.maxRequests ?? 20_000;
  let stopped = false;
  let answered = 0;

  const client = async (keepAlive: boolean) => {
    const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
    try {
      while (!stopped && Date.now() < deadline && outcomes.length < maxRequests) {
        const sentAt = Date.now();
        const result = await send(opts.url, opts.request, agent);
        outcomes.push({ keepAlive, sentAt, endedAt: Date.now(), ...result });
        if (result.status !== undefined) answered++;
        // The server is gone: nothing more to learn from this client.
        if (result.error === "ECONNREFUSED") return;
      }
    } finally {
      agent?.destroy();
    }
  };

  const done = Promise.all([
    ...Array.from({ length: opts.keepAliveClients }, () => client(true)),
    ...Array.from({ length: opts.freshClients }, () => client(false)),
  ]).then(() => outcomes);
  return {
    answered: () => answered,
    done,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}

/** One request; a complete response gives its status, anything else the connection error. */
function send(url: string, r: LoadRequest, agent?: http.Agent): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}${r.path}`,
      {
        method: r.method ?? (r.body ? "POST" : "GET"),
        headers: { ...r.headers, ...(agent ? {} : { connection: "close" }) },
        agent: agent ?? false,
      },
      (res) => {
        res.on("data", () => undefined);
        res.on("end", () => resolve({ status: res.statusCode }));
        res.on("error", (e: NodeJS.ErrnoException) => resolve({ error: `response cut: ${e.code ?? e.message}` }));
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(r.body);
  });
}

export interface SlowRequest {
  /** Sends the rest of the body; resolves with the complete response (or rejects with the connection error). */
  finish(): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;
}

/**
 * A request in flight for as long as the test wants: the headers and the first half of the body
 * are sent now, the rest on finish(). With `agent`, it goes over that agent's (reused) connection.
 */
export function startSlowRequest(url: string, r: LoadRequest & { body: string }, agent?: http.Agent): SlowRequest {
  const half = Math.floor(r.body.length / 2);
  let req!: http.ClientRequest;
  const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      req = http.request(
        `${url}${r.path}`,
        {
          method: r.method ?? "POST",
          headers: { ...r.headers, "content-length": String(Buffer.byteLength(r.body)) },
          agent: agent ?? false,
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
    },
  );
  // Without a listener until finish() is called, an early failure would be an unhandled rejection.
  response.catch(() => undefined);
  req.flushHeaders();
  req.write(r.body.slice(0, half));
  return {
    finish: () => {
      req.end(r.body.slice(half));
      return response;
    },
  };
}

/** Resolves once a new TCP connection to host:port is refused (the listener is closed). */
async function connectionRefused(host: string, port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} still accepted connections after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface LoadSummary {
  /** Answered before the signal (to the millisecond, so a few answered at its instant are not counted): the load was real. */
  answeredBeforeSignal: number;
  /** Sent before the signal, ended after it. */
  inFlightAtSignal: number;
  /** Requests sent before the signal on a kept-alive connection that got no response (must be none). */
  keepAliveCut: RequestOutcome[];
  /** Responses that came back with a status other than `okStatus` (must be none: a stopping server answers or refuses). */
  badStatus: RequestOutcome[];
  /** Responses whose body was cut short. */
  truncated: RequestOutcome[];
  /** Connection errors by code (refused after the signal is expected). */
  connectionErrors: Record<string, number>;
}

function summarizeLoad(outcomes: RequestOutcome[], signalAt: number, okStatus = 200): LoadSummary {
  const connectionErrors: Record<string, number> = {};
  for (const o of outcomes)
    if (o.error && !o.error.startsWith("response cut"))
      connectionErrors[o.error] = (connectionErrors[o.error] ?? 0) + 1;
  return {
    answeredBeforeSignal: outcomes.filter((o) => o.status !== undefined && o.endedAt < signalAt).length,
    inFlightAtSignal: outcomes.filter((o) => o.sentAt < signalAt && o.endedAt >= signalAt).length,
    keepAliveCut: outcomes.filter((o) => o.keepAlive && o.sentAt < signalAt && o.status === undefined),
    badStatus: outcomes.filter((o) => o.status !== undefined && o.status !== okStatus),
    truncated: outcomes.filter((o) => o.error?.startsWith("response cut")),
    connectionErrors,
  };
}

/**
 * A GET in flight for as long as the test wants: its request line and part of its headers are
 * sent now, the end of the headers on finish(), which resolves with the raw response once the
 * server closes the connection.
 */
export function startSlowGet(url: string, path: string): { finish(): Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let raw = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (raw += chunk));
  const ended = new Promise<string>((resolve, reject) => {
    socket.once("close", () => resolve(raw));
    socket.once("error", reject);
  });
  ended.catch(() => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n`);
  return {
    finish: () => {
      socket.write("Connection: keep-alive\r\n\r\n");
      return ended;
    },
  };
}

export interface SignalUnderLoadOptions<T> {
  /** The server's base URL (http://127.0.0.1:port). */
  url: string;
  request: LoadRequest;
  keepAliveClients: number;
  freshClients: number;
  /** Requests answered (after the in-flight requests were started) before the signal. */
  warmup: number;
  /** Starts requests the server is in the middle of receiving when the signal comes; finished after it. */
  inFlight: () => { finish(): Promise<T> }[] | Promise<{ finish(): Promise<T> }[]>;
  /** Sends the signal (SIGTERM) to the server's process. */
  signal: () => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** How long after the signal the process must have exited. */
  exitWithinMs: number;
}

/**
 * A server process stopped under load, as a deployment stops it: load (kept-alive and fresh
 * connections), requests in flight, the signal; then, once new connections are refused, the
 * in-flight requests are finished. Returns their responses, how the process ended (or
 * "still running" after exitWithinMs) and the load's summary; the caller asserts.
 */
export async function signalUnderLoad<T>(opts: SignalUnderLoadOptions<T>) {
  // Started first, while the server is idle: by the time the load has been served, it has read
  // them (started under load, a new connection could still wait in the listen queue at the signal).
  const inFlight = await opts.inFlight();
  const load = startHttpLoad({ ...opts, maxMs: 60_000 });
  await until("the load to be served", async () => load.answered() >= opts.warmup, 30_000, 20);

  const signalAt = Date.now();
  opts.signal();
  const { hostname, port } = new URL(opts.url);
  await connectionRefused(hostname, Number(port));
  const responses: T[] = [];
  for (const r of inFlight) responses.push(await r.finish());
  const end = await Promise.race([
    opts.exited,
    new Promise<"still running">((r) =>
      setTimeout(() => r("still running"), Math.max(0, opts.exitWithinMs - (Date.now() - signalAt))),
    ),
  ]);
  return { responses, end, summary: summarizeLoad(await load.stop(), signalAt) };
}
