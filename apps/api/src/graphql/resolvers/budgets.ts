import { teamScope, visibleOrNull } from "@costgate/core";
import type { CostGateRecord } from "@costgate/services";
import { caller, mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { newestFirst } from "../pagination.ts";
import { createBudget } from "../../features/budgets/create-budget.ts";
import { updateBudget } from "../../features/budgets/update-budget.ts";
import { deleteBudget } from "../../features/budgets/delete-budget.ts";
import { promotionPreview } from "../../features/budgets/promotion-preview.ts";

export const budgetsResolvers = {
  Query: {
    promotionPreview: (_p, { versionId }, ctx) => promotionPreview(ctx, caller(ctx), versionId),
    budgets(_p, { teamId }, ctx) {
      const scope = teamScope(caller(ctx), teamId);
      return ctx.db.budget.findMany({ where: scope ? { teamId: scope } : {}, orderBy: newestFirst });
    },
    async budget(_p, { id }, ctx) {
      const principal = caller(ctx);
      const budget = await ctx.db.budget.findUnique({ where: { id } });
      return visibleOrNull(principal, budget, (b) => b.teamId);
    },
  },
  Mutation: {
    createBudget: mutation("createBudget", (a, ctx, p) => createBudget(ctx.db, p, a.input)),
    updateBudget: mutation("updateBudget", (a, ctx, p) => updateBudget(ctx, p, a.id, a.input)),
    deleteBudget: mutation("deleteBudget", (a, ctx, p) => deleteBudget(ctx.db, p, a.id)),
  },
  Budget: {
    team: (b, _a, ctx) => ctx.loaders.team.loadRequired(b.teamId),
    model: (b, _a, ctx) => (b.modelId ? ctx.loaders.model.load(b.modelId) : null),
    policy: (b, _a, ctx) => (b.policyId ? ctx.loaders.policy.load(b.policyId) : null),
    status: (b, _a, ctx) => ctx.loaders.budgetStatus.load(b),
  },
  BudgetStatus: {
    periodStart: (s) => s.start,
    periodEnd: (s) => s.end,
  },
  Team: {
    budgets: (t, _a, ctx) => ctx.loaders.teamBudgets.load(t.id),
  },
  PromotionResult: {
    async projection(r, _a, ctx) {
      // The cost gate records its projection under `costGate` (services' costGateRecord); other gates record none.
      const g = r.gate?.costGate as CostGateRecord | undefined;
      if (!g?.projectedMonthlyUsd) return null;
      return {
        currentMonthlyUsd: g.currentMonthlyUsd,
        projectedMonthlyUsd: g.projectedMonthlyUsd,
        deltaMonthlyUsd: g.deltaMonthlyUsd,
        withinBudget: g.withinBudget,
        budget: g.budgetId ? await ctx.db.budget.findUnique({ where: { id: g.budgetId } }) : null,
        // The promotion went through: refused only when an ADMIN overrode the gate.
        gateRefuses: g.overridden,
        trafficRequests: Number(g.trafficRequests),
        remainingUsd: g.remainingUsd,
      };
    },
  },
} satisfies Resolvers;
