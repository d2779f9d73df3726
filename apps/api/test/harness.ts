// The API's tests run it in this process (its clock can be set, its internals reached through
// `server`), on @costgate/testkit's isolated database, queue prefix and artifact folder.
import { TestApi as KitTestApi, type ApiStarter, type RunningApi } from "@costgate/testkit";
import { loadApiEnv } from "../src/env.ts";
import { createServer, type ApiServer } from "../src/server.ts";

export { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, type GqlResult } from "@costgate/testkit";

type InProcessApi = ApiServer & RunningApi;

const inProcess: ApiStarter<InProcessApi> = async (env, clock) => {
  const server = await createServer(loadApiEnv(env), { now: clock.now });
  const url = await server.listen(0, "127.0.0.1");
  return Object.assign(server, { url });
};

/** A real API for one test file, in this process: see @costgate/testkit's TestApi. */
export type TestApi = KitTestApi<InProcessApi>;
export const TestApi = {
  start: (overrides: Record<string, string> = {}): Promise<TestApi> => KitTestApi.start(inProcess, overrides),
};
