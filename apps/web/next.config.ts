import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_BUILD } from "next/constants";

const webDir = dirname(fileURLToPath(import.meta.url));
const workspaceRoot = join(webDir, "..", "..");
const generated = join(webDir, "src", "gql", "graphql.ts");

/** Newest modification time of the schema and of the sources that hold GraphQL operations. */
function newestInput(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "gql") continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestInput(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `next dev` and `next build` are also started directly (npm start, the e2e setup), without the
 * package's predev/prebuild scripts: generate the typed GraphQL client here when it is missing
 * or older than the schema or the operations, so a fresh clone needs no manual step.
 */
function ensureCodegen(): void {
  const schema = join(workspaceRoot, "apps", "api", "schema.graphql");
  const stale =
    !existsSync(generated) ||
    statSync(generated).mtimeMs < Math.max(statSync(schema).mtimeMs, newestInput(join(webDir, "src")));
  if (!stale) return;
  // The CLI's bin is not an exported subpath: locate it from its package.json.
  const pkg = createRequire(join(webDir, "package.json")).resolve("@graphql-codegen/cli/package.json");
  const bin = join(dirname(pkg), "cjs", "bin.js");
  execFileSync(process.execPath, [bin, "--config", "codegen.ts"], { cwd: webDir, stdio: "inherit" });
}

export default function config(phase: string): NextConfig {
  if (phase === PHASE_DEVELOPMENT_SERVER || phase === PHASE_PRODUCTION_BUILD) ensureCodegen();
  return {
    reactStrictMode: true,
    poweredByHeader: false,
    // core's rules (permissions, step ranges, thresholds) are shared as TypeScript sources.
    transpilePackages: ["@costgate/core"],
    // No framing (clickjacking), no MIME sniffing, no referrer to other sites; a CSP that needs
    // no nonces (Next's inline bootstrap scripts stay allowed) but forbids plugins, foreign
    // bases and form targets.
    async headers() {
      return [
        {
          source: "/:path*",
          headers: [
            {
              key: "Content-Security-Policy",
              value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
            },
            { key: "X-Frame-Options", value: "DENY" },
            { key: "X-Content-Type-Options", value: "nosniff" },
            { key: "Referrer-Policy", value: "same-origin" },
          ],
        },
      ];
    },
    // node_modules is a workspace symlink farm: Turbopack must see the workspace root.
    turbopack: { root: workspaceRoot },
    outputFileTracingRoot: workspaceRoot,
  };
}
