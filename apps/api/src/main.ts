import { stopOnSignals } from "@costgate/config";
import { loadApiEnv } from "./env.ts";
import { createServer } from "./server.ts";

const env = loadApiEnv();
const server = await createServer(env);
const url = await server.listen();
server.logger.info({ url }, `Costgate API listening on ${url} (GraphQL at ${url}/graphql)`);

stopOnSignals({ logger: server.logger, timeoutMs: env.SHUTDOWN_TIMEOUT_MS, stop: () => server.close() });
