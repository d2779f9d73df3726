// The dashboard's production server: Next.js's request handler, with the client address set by
// the server rather than taken from the client (server/forwarded-for.mjs).
//
//   node server.mjs [--port 3000] [--hostname 127.0.0.1]       (npm start -w @costgate/web)
//
// Settings: PORT and HOSTNAME (the flags win), DASHBOARD_TRUST_PROXY.
import { createServer } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import next from "next";
import { setClientAddress, trustFrom } from "./server/forwarded-for.mjs";

const { values } = parseArgs({ options: { port: { type: "string" }, hostname: { type: "string" } } });
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? process.env.HOSTNAME ?? "127.0.0.1";
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: --port must be a TCP port (got ${values.port ?? process.env.PORT})`);
  process.exit(2);
}
const trust = trustFrom(process.env.DASHBOARD_TRUST_PROXY);

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
server.listen(port, hostname, () => {
  console.log(`dashboard ready on http://${hostname}:${server.address().port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
