// The apps `npm start` runs, in start order. A row whose entry file does not exist yet is left
// out, so the script starts whatever apps the repository has.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Each row: the entry file that must exist, the command, the variable naming its port (checked
 * free before start), the URL that answers 200 once it is up, and its lines in the banner.
 * @param root repository root
 * @param urls, ports  per service name (api, worker, web)
 */
export function serviceTable(root, { urls, ports, webMode }) {
  const node = process.execPath;
  const tsx = (entry) => [node, ["--import", "tsx", entry]];
  const next = join(root, "node_modules", "next", "dist", "bin", "next");
  const rows = [
    {
      name: "api",
      entry: "apps/api/src/main.ts",
      command: tsx("apps/api/src/main.ts"),
      cwd: root,
      port: "API_PORT",
      health: `${urls.api}/healthz`,
      banner: [`API       ${urls.api}/graphql  (health ${urls.api}/healthz)`],
    },
    {
      name: "worker",
      entry: "apps/worker/src/main.ts",
      command: tsx("apps/worker/src/main.ts"),
      cwd: root,
      port: "WORKER_METRICS_PORT",
      health: `${urls.worker}/healthz`,
      banner: [`Worker    ${urls.worker}/metrics`],
    },
    {
      name: "web",
      entry: "apps/web/package.json",
      requires: next,
      // Production: apps/web/server.mjs (Next's handler; the client address it forwards is its own
      // reading, not the browser's X-Forwarded-For). Development: `next dev`.
      command:
        webMode(join(root, "apps", "web")) === "dev"
          ? [node, [next, "dev", "--port", String(ports.web), "--hostname", "127.0.0.1"]]
          : [node, [join(root, "apps", "web", "server.mjs"), "--port", String(ports.web), "--hostname", "127.0.0.1"]],
      // A production build older than the sources would serve yesterday's dashboard: rebuild it first.
      build:
        webMode(join(root, "apps", "web")) === "start" && !webBuildIsCurrent(root) ? ["npm", ["run", "build"]] : null,
      cwd: join(root, "apps", "web"),
      port: "WEB_PORT",
      health: urls.web,
      banner: [`Dashboard ${urls.web}`],
    },
  ];
  return rows.filter((row) => existsSync(join(root, row.entry)));
}

/** The production server on a production build (made or remade first when missing or stale); COSTGATE_WEB_MODE=dev runs `next dev` instead. */
export function chooseWebMode(forced) {
  return () => (forced === "dev" ? "dev" : "start");
}

/** The inputs of the dashboard's build: its sources and the API schema its client is generated from. */
const WEB_BUILD_INPUTS = [
  "apps/web/src",
  "apps/web/public",
  "apps/web/next.config.ts",
  "apps/web/codegen.ts",
  "apps/web/package.json",
  "apps/api/schema.graphql",
  "package-lock.json",
];

/** Whether apps/web/.next holds a build newer than every input (generated src/gql aside). */
function webBuildIsCurrent(root) {
  const buildId = join(root, "apps", "web", ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  const generated = join(root, "apps", "web", "src", "gql");
  const newer = (path) => {
    if (path === generated || !existsSync(path)) return false;
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.mtimeMs > built;
    return readdirSync(path).some((name) => newer(join(path, name)));
  };
  return !WEB_BUILD_INPUTS.some((input) => newer(join(root, input)));
}
