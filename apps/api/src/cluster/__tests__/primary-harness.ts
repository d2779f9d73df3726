// runPrimary with stand-in API processes, for primary.unit.test.ts: each serves HARNESS_PORT
// ("ok": its pid to anything, stops on SIGTERM like the API) or exits before it listens ("early-exit").
import cluster from "node:cluster";
import http from "node:http";
import { createLogger } from "../../logger.ts";
import { runPrimary } from "../primary.ts";

if (cluster.isPrimary) {
  runPrimary({
    processes: Number(process.env.HARNESS_PROCESSES ?? 2),
    logger: createLogger("silent"),
    shutdownTimeoutMs: 3_000,
  });
} else if (process.env.HARNESS_WORKER === "early-exit") {
  process.exit(3);
} else {
  const server = http.createServer((_req, res) => res.end(String(process.pid)));
  server.listen(Number(process.env.HARNESS_PORT), "127.0.0.1");
  process.on("SIGTERM", () => server.close(() => cluster.worker?.disconnect()));
}
