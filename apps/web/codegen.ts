// Typed GraphQL operations for the dashboard, generated from the schema the API serves
// (apps/api/schema.graphql, printed by `npm run schema:print`). The output in src/gql/ is not
// committed: `npm run codegen` (run before dev, build and typecheck, and by next.config.ts when
// it is missing or stale) writes it.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../api/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: true,
  silent: true,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: "string",
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: "string", Decimal: "string", JSON: "unknown" },
        skipTypename: true,
        avoidOptionals: false,
      },
    },
  },
};

export default config;
