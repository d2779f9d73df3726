import { stopOnSignals } from "@costgate/config";
import { loadApiEnv } from "./env.ts";
import { createServer } from "./server.ts";

const env = loadApiEnv();
const frozen = env.COSTGATE_FROZEN_NOW ? new Date(env.COSTGATE_FROZEN_NOW) : null;
const server = await createServer(env, frozen ? { now: () => new Date(frozen) } : {});
if (frozen) server.logger.warn({ now: frozen.toISOString() }, "the API's clock is frozen (COSTGATE_FROZEN_NOW)");
const url = await server.listen();
server.logger.info({ url }, `Costgate API listening on ${url} (GraphQL at ${url}/graphql)`);

stopOnSignals({ logger: server.logger, timeoutMs: env.SHUTDOWN_TIMEOUT_MS, stop: () => server.close() });
