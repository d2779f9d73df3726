import { teamScope, visibleOrNull, type BudgetStatusValue } from "@costgate/core";
import type { Budget, Team } from "@costgate/db";
import type { CostGateRecord } from "@costgate/services";
import { caller, mutation, type Context } from "../context.ts";
import { newestFirst } from "../pagination.ts";
import { createBudget } from "../../features/budgets/create-budget.ts";
import { updateBudget } from "../../features/budgets/update-budget.ts";
import { deleteBudget } from "../../features/budgets/delete-budget.ts";
import { promotionPreview } from "../../features/budgets/promotion-preview.ts";

export const budgetsResolvers = {
  Query: {
    promotionPreview: (_p: unknown, { versionId }: { versionId: string }, ctx: Context) =>
      promotionPreview(ctx, caller(ctx), versionId),
    budgets(_p: unknown, { teamId }: { teamId?: string | null }, ctx: Context) {
      const scope = teamScope(caller(ctx), teamId);
      return ctx.db.budget.findMany({ where: scope ? { teamId: scope } : {}, orderBy: newestFirst });
    },
    async budget(_p: unknown, { id }: { id: string }, ctx: Context) {
      const principal = caller(ctx);
      const budget = await ctx.db.budget.findUnique({ where: { id } });
      return visibleOrNull(principal, budget, (b) => b.teamId);
    },
  },
  Mutation: {
    createBudget: mutation("createBudget", (a: { input: unknown }, ctx, p) => createBudget(ctx.db, p, a.input)),
    updateBudget: mutation("updateBudget", (a: { id: string; input: unknown }, ctx, p) =>
      updateBudget(ctx, p, a.id, a.input),
    ),
    deleteBudget: mutation("deleteBudget", (a: { id: string }, ctx, p) => deleteBudget(ctx.db, p, a.id)),
  },
  Budget: {
    team: (b: Budget, _a: unknown, ctx: Context) => ctx.loaders.team.load(b.teamId),
    model: (b: Budget, _a: unknown, ctx: Context) => (b.modelId ? ctx.loaders.model.load(b.modelId) : null),
    policy: (b: Budget, _a: unknown, ctx: Context) => (b.policyId ? ctx.loaders.policy.load(b.policyId) : null),
    status: (b: Budget, _a: unknown, ctx: Context) => ctx.loaders.budgetStatus.load(b),
  },
  BudgetStatus: {
    periodStart: (s: BudgetStatusValue) => s.start,
    periodEnd: (s: BudgetStatusValue) => s.end,
  },
  Team: {
    budgets: (t: Team, _a: unknown, ctx: Context) =>
      ctx.db.budget.findMany({ where: { teamId: t.id }, orderBy: newestFirst }),
  },
  PromotionResult: {
    async projection(r: { gate?: { costGate?: Partial<CostGateRecord> } | null }, _a: unknown, ctx: Context) {
      const g = r.gate?.costGate;
      if (!g?.projectedMonthlyUsd) return null;
      return {
        currentMonthlyUsd: g.currentMonthlyUsd,
        projectedMonthlyUsd: g.projectedMonthlyUsd,
        deltaMonthlyUsd: g.deltaMonthlyUsd,
        withinBudget: g.withinBudget,
        budget: g.budgetId ? await ctx.db.budget.findUnique({ where: { id: g.budgetId } }) : null,
      };
    },
  },
} satisfies Record<string, Record<string, unknown>>;
