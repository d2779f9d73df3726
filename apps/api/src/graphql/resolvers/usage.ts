import { caller, mutation, type Context } from "../context.ts";
import { recordUsage } from "../../features/usage/record-usage.ts";
import { spendSeries, type Granularity } from "../../features/usage/spend-series.ts";
import { topSpenders, type ModelSpendRow } from "../../features/usage/top-spenders.ts";
import { optimizationSavings, type VersionSavings } from "../../features/usage/optimization-savings.ts";
import type { UsageInput } from "../../features/usage/usage-input.ts";

type Range = { teamId?: string | null; from: Date; to: Date };

export const usageResolvers = {
  Query: {
    spend: (_p: unknown, args: Range & { modelId?: string | null; granularity?: Granularity | null }, ctx: Context) =>
      spendSeries(ctx.db, caller(ctx), args),
    topSpenders: (_p: unknown, args: Range & { first?: number | null }, ctx: Context) =>
      topSpenders(ctx.db, caller(ctx), args),
    optimizationSavings: (_p: unknown, args: Range & { first?: number | null }, ctx: Context) =>
      optimizationSavings(ctx.db, ctx.loaders, caller(ctx), args),
  },
  Mutation: {
    recordUsage: mutation("recordUsage", (a: { input: UsageInput[] }, ctx, p) => recordUsage(ctx, p, a.input)),
  },
  ModelSpend: {
    model: (r: ModelSpendRow, _a: unknown, ctx: Context) => ctx.loaders.model.load(r.modelId),
  },
  VersionSavings: {
    model: (r: VersionSavings, _a: unknown, ctx: Context) => ctx.loaders.model.load(r.modelId),
  },
} satisfies Record<string, Record<string, unknown>>;
