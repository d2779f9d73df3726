import { caller, mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { recordUsage } from "../../features/usage/record-usage.ts";
import { spendSeries } from "../../features/usage/spend-series.ts";
import { spendBreakdown } from "../../features/usage/spend-breakdown.ts";
import { topSpenders } from "../../features/usage/top-spenders.ts";
import { optimizationSavings } from "../../features/usage/optimization-savings.ts";

export const usageResolvers = {
  Query: {
    spend: (_p, args, ctx) => spendSeries(ctx.db, caller(ctx), args),
    spendBreakdown: (_p, args, ctx) => spendBreakdown(ctx.db, caller(ctx), args),
    topSpenders: (_p, args, ctx) => topSpenders(ctx.db, caller(ctx), args),
    optimizationSavings: (_p, args, ctx) => optimizationSavings(ctx.db, ctx.loaders, caller(ctx), args),
  },
  Mutation: {
    recordUsage: mutation("recordUsage", (a, ctx, p) => recordUsage(ctx, p, a.input)),
  },
  ModelSpend: {
    model: (r, _a, ctx) => ctx.loaders.model.loadRequired(r.modelId),
  },
  VersionSavings: {
    model: (r, _a, ctx) => ctx.loaders.model.loadRequired(r.modelId),
  },
} satisfies Resolvers;
