// The import graph's rules (docs/ARCHITECTURE.md, "Arrows"), checked by `npm run lint`:
//   depcruise apps packages e2e --config .dependency-cruiser.cjs
/** Packages that know nothing of the database, the queues or the apps. */
const PURE = "^packages/(ml|core|formats)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-app-to-app",
      comment: "An app never imports another app (its tests neither): share code through a package.",
      severity: "error",
      from: { path: "^apps/([^/]+)/" },
      to: { path: "^apps/", pathNot: "^apps/$1/" },
    },
    {
      name: "no-package-to-app",
      comment: "Arrows go one way: apps -> packages.",
      severity: "error",
      from: { path: "^packages/" },
      // An app's package name does not resolve (apps export nothing): match the name too.
      to: { path: ["^(apps|e2e)/", "^@costgate/(api|worker|web|e2e)(/|$)"] },
    },
    {
      name: "pure-packages-stay-pure",
      comment: "ml, core and formats import no database, queue, artifact store or service layer.",
      severity: "error",
      from: { path: PURE },
      to: { path: "^packages/(db|queue|services|artifacts|testkit)/" },
    },
    {
      name: "pure-packages-no-infrastructure-modules",
      comment: "ml, core and formats do not talk to PostgreSQL or Redis.",
      severity: "error",
      from: { path: PURE },
      to: { path: "node_modules/(@prisma/|prisma/|pg/|bullmq/|ioredis/)" },
    },
    {
      name: "formats-imports-nothing-of-ours",
      comment:
        "formats holds the file rules the API and ml share: it imports no other workspace (ESLint also keeps TensorFlow.js out).",
      severity: "error",
      from: { path: "^packages/formats/" },
      to: { path: "^(apps|packages|e2e)/", pathNot: "^packages/formats/" },
    },
    {
      name: "only-through-the-entry-point",
      comment: "Another workspace package is imported as `@costgate/name` (its src/index.ts), never a file inside it.",
      severity: "error",
      from: { path: "^(apps/[^/]+|packages/[^/]+|e2e)/" },
      // …or `@costgate/config/lifecycle`, the plain-JavaScript entry the dashboard's server.mjs (plain Node, no tsx) can load.
      to: {
        path: "^packages/[^/]+/",
        pathNot: ["^$1/", "^packages/[^/]+/src/index\\.ts$", "^packages/config/src/lifecycle\\.(mjs|d\\.mts)$"],
      },
    },
    {
      name: "no-test-helpers-in-production",
      comment: "packages/testkit is for tests, scripts and benchmarks only.",
      severity: "error",
      from: {
        path: "^(apps|packages)/[^/]+/src/",
        pathNot: ["(^|/)__tests__/", "\\.test\\.ts$", "^packages/testkit/"],
      },
      to: { path: "^packages/testkit/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "Every import resolves (a typo, or a dependency that is not installed).",
      severity: "error",
      from: {},
      // The dashboard's typed GraphQL client is generated (npm run codegen), absent in a fresh clone.
      to: { couldNotResolve: true, pathNot: "^@/gql(/|$)" },
    },
    {
      name: "no-circular",
      comment: "No import cycles.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: {
      path: ["(^|/)node_modules/", "(^|/)\\.next/", "^apps/web/src/gql/", "(^|/)generated/", "(^|/)next-env\\.d\\.ts$"],
    },
    tsPreCompilationDeps: true,
    // The base options plus the dashboard's `@/` alias.
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
