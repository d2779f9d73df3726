import { loadApiEnv } from "./env.ts";
import { createServer } from "./server.ts";

const env = loadApiEnv();
const server = await createServer(env);
const url = await server.listen();
server.logger.info({ url }, `Costgate API listening on ${url} (GraphQL at ${url}/graphql)`);

let stopping = false;
/** Never rejects: a failure is logged and the process exits 1. */
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.logger.info({ signal }, "shutting down");
  try {
    await server.close();
    process.exit(0);
  } catch (e) {
    server.logger.error({ err: e }, "error during shutdown");
    process.exit(1);
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown(signal));
