// Resolver types generated from the served schema (apps/api/schema.graphql, printed by
// `npm run schema:print` and kept current by a test): every resolver map under
// src/graphql/resolvers/ `satisfies Resolvers`, so parents, arguments and results are checked
// against the schema. The output in src/graphql/generated/ is not committed: `npm run codegen`
// (run before typecheck) writes it. The API runs from source with tsx and imports only types
// from it, so starting or testing the API never needs it.
import type { CodegenConfig } from "@graphql-codegen/cli";

/** GraphQL object types whose parent is the Prisma row of the same name. */
const PRISMA_ROWS = [
  "Alert",
  "ApiKey",
  "Artifact",
  "AuditEvent",
  "Budget",
  "CostComparison",
  "CostMeasurement",
  "Dataset",
  "Evaluation",
  "HardwareProfile",
  "Model",
  "ModelVersion",
  "OptimizationJob",
  "OptimizationPolicy",
  "Team",
  "Webhook",
  "WebhookAttempt",
];

/** The others, from src/graphql/mappers.ts (`<Type>Parent`). */
const OTHER_PARENTS = [
  "AlertConnection",
  "AuditEventConnection",
  "BudgetStatus",
  "ModelConnection",
  "ModelSpend",
  "ModelVersionConnection",
  "OptimizationJobConnection",
  "PromotionOverrideRequest",
  "PromotionResult",
  "User",
  "VersionSavings",
  "WebhookDelivery",
];

const config: CodegenConfig = {
  schema: "schema.graphql",
  silent: true,
  generates: {
    "src/graphql/generated/resolvers-types.ts": {
      plugins: ["typescript", "typescript-resolvers"],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          DateTime: { input: "Date", output: "../mappers.ts#DateTimeOutput" },
          Decimal: { input: "string", output: "../mappers.ts#DecimalOutput" },
          JSON: "unknown",
        },
        contextType: "../context.ts#Context",
        mappers: Object.fromEntries([
          ...PRISMA_ROWS.map((t) => [t, `@costgate/db#${t} as ${t}Row`]),
          ...OTHER_PARENTS.map((t) => [t, `../mappers.ts#${t}Parent`]),
        ]),
        // Resolvers here are plain functions, never `{ resolve }` objects.
        makeResolverTypeCallable: true,
      },
    },
  },
};

export default config;
