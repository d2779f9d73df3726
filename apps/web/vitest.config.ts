import { fileURLToPath } from "node:url";
import { workspaceTestConfig } from "../../vitest.shared.ts";

// Unit tests of the pure helpers (formatting, thresholds, Pareto frontier, policy steps); the
// pages themselves are tested in real Chromium by e2e/.
export default workspaceTestConfig(import.meta.url, {
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  test: { include: ["src/**/*.unit.test.ts", "server/**/*.unit.test.mjs"] },
});
