// The dashboard's production server: Next.js's request handler, with the client address set by
// the server rather than taken from the client (server/forwarded-for.mjs).
//
//   node server.mjs [--port 3000] [--hostname 127.0.0.1]       (npm start -w @costgate/web)
//
// Settings: PORT and HOSTNAME (the flags win), DASHBOARD_TRUST_PROXY, SHUTDOWN_GRACE_MS and
// SHUTDOWN_TIMEOUT_MS (as for the API: on SIGTERM, pages in progress get the grace period, and
// the process exits 0 once everything is closed, or 1 naming what is still open at the timeout).
import { createServer } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import next from "next";
import { HttpDrain, stopOnSignals } from "@costgate/config/lifecycle";
import { setClientAddress, trustFrom } from "./server/forwarded-for.mjs";

const { values } = parseArgs({ options: { port: { type: "string" }, hostname: { type: "string" } } });
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? process.env.HOSTNAME ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: --port must be a TCP port (got ${values.port ?? process.env.PORT})`);
  process.exit(2);
}
const trust = trustFrom(process.env.DASHBOARD_TRUST_PROXY);
const millis = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`server.mjs: ${name} must be a number of milliseconds (got ${process.env[name]})`);
    process.exit(2);
  }
  return value;
};
const graceMs = millis("SHUTDOWN_GRACE_MS", 5_000);
const timeoutMs = millis("SHUTDOWN_TIMEOUT_MS", 8_000);
/** One JSON line per event, like the API's and the worker's logs. */
const log = (level) => (fields, msg) =>
  console[level === "error" ? "error" : "log"](
    JSON.stringify({ level, time: new Date().toISOString(), name: "web", ...fields, msg }),
  );

const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  setClientAddress(req, trust);
  handle(req, res).catch((e) => {
    console.error("dashboard: unhandled error", e);
    if (!res.headersSent) res.writeHead(500).end("Internal server error");
  });
});
const drain = new HttpDrain(server);
server.listen(port, hostname, () => {
  console.log(`dashboard ready on http://${hostname}:${server.address().port}`);
});
stopOnSignals({
  logger: { info: log("info"), error: log("error") },
  timeoutMs,
  stop: async () => {
    const { cut } = await drain.close(graceMs);
    if (cut) log("info")({ cut, graceMs }, "requests still running at the grace deadline were cut");
    await app.close();
  },
});
