import { createRequire } from "node:module";
import { workspaceTestConfig } from "../../vitest.shared.ts";

// One copy of graphql, as under Node: vite would resolve our sources' `graphql` to index.mjs (its
// "module" field) while Apollo and graphql-query-complexity, loaded by Node, get index.js, and
// `instanceof GraphQLError` then differs between tests and production.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");

export default workspaceTestConfig(import.meta.url, {
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
});
