import cluster from "node:cluster";
import { stopOnSignals } from "@costgate/config";
import { runPrimary } from "./cluster/primary.ts";
import { loadApiEnv } from "./env.ts";
import { createLogger } from "./logger.ts";

const env = loadApiEnv();
if (cluster.isPrimary && env.API_PROCESSES > 1) {
  const logger = createLogger(env.LOG_LEVEL);
  logger.info(
    { processes: env.API_PROCESSES },
    `Costgate API: ${env.API_PROCESSES} processes on http://${env.API_HOST}:${env.API_PORT} (API_PROCESSES)`,
  );
  runPrimary({ processes: env.API_PROCESSES, logger, shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS });
} else {
  // Imported here: the primary of a cluster serves nothing and needs none of it.
  const { createServer } = await import("./server.ts");
  const frozen = env.COSTGATE_FROZEN_NOW ? new Date(env.COSTGATE_FROZEN_NOW) : null;
  const server = await createServer(env, frozen ? { now: () => new Date(frozen) } : {});
  if (frozen) server.logger.warn({ now: frozen.toISOString() }, "the API's clock is frozen (COSTGATE_FROZEN_NOW)");
  const url = await server.listen();
  server.logger.info({ url }, `Costgate API listening on ${url} (GraphQL at ${url}/graphql)`);

  stopOnSignals({
    logger: server.logger,
    timeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    stop: async () => {
      await server.close();
      // In a cluster: the channel to the primary is the last thing open.
      cluster.worker?.disconnect();
    },
  });
}
