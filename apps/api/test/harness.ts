// The API's tests run it in this process (its clock can be set, its internals reached through
// `server`), on @costgate/testkit's isolated database, queue prefix and artifact folder.
import { TestApi as KitTestApi, type ApiStarter, type RunningApi } from "@costgate/testkit";
import { createDb, type Prisma } from "@costgate/db";
import { loadApiEnv } from "../src/env.ts";
import { createServer, type ApiServer } from "../src/server.ts";

export { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD } from "@costgate/testkit";

type InProcessApi = ApiServer & RunningApi;

interface HarnessOptions {
  /** Called with every SQL statement the API's Prisma client sends (to count the queries a request makes). */
  onQuery?: (event: Prisma.QueryEvent) => void;
}

const inProcess =
  ({ onQuery }: HarnessOptions): ApiStarter<InProcessApi> =>
  async (env, clock) => {
    // A database client of the test's own, when it listens to the statements; closed with the server.
    const db = onQuery ? createDb(env.DATABASE_URL, { onQuery }) : undefined;
    const server = await createServer(loadApiEnv(env), { now: clock.now, db });
    const url = await server.listen(0, "127.0.0.1");
    const closeServer = server.close;
    return Object.assign(server, {
      url,
      async close() {
        await closeServer();
        await db?.$disconnect();
      },
    });
  };

/** A real API for one test file, in this process: see @costgate/testkit's TestApi. */
export type TestApi = KitTestApi<InProcessApi>;
export const TestApi = {
  start: (overrides: Record<string, string> = {}, options: HarnessOptions = {}): Promise<TestApi> =>
    KitTestApi.start(inProcess(options), overrides),
};
