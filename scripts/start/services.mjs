// The apps `npm start` runs, in start order. A row whose entry file does not exist yet is left
// out, so the script starts whatever apps the repository has.
import { existsSync } from "node:fs";
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
      command: [node, [next, webMode(join(root, "apps", "web")), "--port", String(ports.web), "--hostname", "127.0.0.1"]],
      cwd: join(root, "apps", "web"),
      port: "WEB_PORT",
      health: urls.web,
      banner: [`Dashboard ${urls.web}`],
    },
  ];
  return rows.filter((row) => existsSync(join(root, row.entry)));
}

/** `next start` when a production build exists, else `next dev` (COSTGATE_WEB_MODE forces one). */
export function chooseWebMode(forced) {
  return (webDir) => {
    if (forced === "start" || forced === "dev") return forced;
    return existsSync(join(webDir, ".next", "BUILD_ID")) ? "start" : "dev";
  };
}
