// Shared vitest settings. Each workspace's vitest.config.ts is one line:
//   export default workspaceTestConfig(import.meta.url);
// Besides the console output, every run writes <repo>/reports/<package>.json (vitest's JSON
// reporter), which `npm test` (scripts/test.mjs) sums into the final "N passed, N failed" line.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, mergeConfig, type ViteUserConfig } from "vitest/config";

const repoRoot = dirname(fileURLToPath(import.meta.url));

const reportsDir = join(repoRoot, "reports");

/** `configUrl` is the workspace config's import.meta.url; `overrides` are merged over the shared settings. */
export function workspaceTestConfig(configUrl: string, overrides: ViteUserConfig = {}): ViteUserConfig {
  const packageDir = dirname(fileURLToPath(configUrl));
  const { name } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { name: string };
  // scripts/test.mjs (reportFileFor) looks for the report under this same name.
  const reportName = name.replace(/^@/, "").replace(/[^a-zA-Z0-9._-]+/g, "-");
  const shared = defineConfig({
    test: {
      root: packageDir,
      passWithNoTests: true,
      // Integration tests talk to the real Postgres and Redis; template creation runs migrations.
      testTimeout: 20_000,
      hookTimeout: 60_000,
      reporters: ["default", "json"],
      outputFile: { json: join(reportsDir, `${reportName}.json`) },
    },
  });
  return mergeConfig(shared, overrides);
}
