import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { makeExecutableSchema } from "@graphql-tools/schema";
import type { GraphQLSchema } from "graphql";
import { DateTimeScalar, DecimalScalar, JSONScalar } from "./scalars.ts";
import { identityResolvers } from "./resolvers/identity.ts";
import { registryResolvers } from "./resolvers/registry.ts";
import { costResolvers } from "./resolvers/cost.ts";
import { auditResolvers } from "./resolvers/audit.ts";
import { optimizationResolvers } from "./resolvers/optimization.ts";
import { webhookResolvers } from "./resolvers/webhooks.ts";
import { alertResolvers } from "./resolvers/alerts.ts";
import { budgetsResolvers } from "./resolvers/budgets.ts";
import { usageResolvers } from "./resolvers/usage.ts";
import { measurementResolvers } from "./resolvers/measurement.ts";
import { financeResolvers } from "./resolvers/finance.ts";

const schemaDir = fileURLToPath(new URL("./schema/", import.meta.url));

/** The SDL, one file per domain, base.graphql first. */
function loadTypeDefs(): string[] {
  const files = readdirSync(schemaDir)
    .filter((f) => f.endsWith(".graphql"))
    .sort((a, b) => (a === "base.graphql" ? -1 : b === "base.graphql" ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(join(schemaDir, f), "utf8"));
}

export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [
      { DateTime: DateTimeScalar, Decimal: DecimalScalar, JSON: JSONScalar },
      identityResolvers,
      registryResolvers,
      costResolvers,
      auditResolvers,
      optimizationResolvers,
      webhookResolvers,
      alertResolvers,
      budgetsResolvers,
      usageResolvers,
      measurementResolvers,
      financeResolvers,
    ],
    resolverValidationOptions: { requireResolversToMatchSchema: "error" },
  });
}
