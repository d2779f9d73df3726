import { assertCan, assertTeamAccess } from "@costgate/core";
import { caller, mutation } from "../context.ts";
import {
  createSpendExport,
  findSpendExport,
  setSpendExportSchedule,
} from "../../features/exports/create-spend-export.ts";
import { exportUrl } from "../../features/exports/exports-route.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { spendAnomalies } from "../../features/usage/spend-anomalies.ts";
import { alertExplorerLink } from "../../features/alerts/alert-explore.ts";

export const financeResolvers = {
  Query: {
    spendAnomalies: (_p, args, ctx) => spendAnomalies(ctx.db, caller(ctx), args),
    spendExport(_p, { id }, ctx) {
      const principal = caller(ctx);
      assertCan(principal, "spendExport");
      return findSpendExport(ctx.db, principal, id);
    },
    spendExportSchedule(_p, { teamId }, ctx) {
      const principal = caller(ctx);
      assertCan(principal, "spendExportSchedule");
      assertTeamAccess(principal, teamId);
      return ctx.db.spendExportSchedule.findUnique({ where: { teamId } });
    },
  },
  Mutation: {
    createSpendExport: mutation("createSpendExport", (a, ctx, p) => createSpendExport(ctx, p, a.input)),
    setSpendExportSchedule: mutation("setSpendExportSchedule", (a, ctx, p) => setSpendExportSchedule(ctx.db, p, a)),
  },
  SpendExport: {
    url: (e) => (e.status === "SUCCEEDED" ? exportUrl(e.id) : null),
    team: (e, _a, ctx) => (e.teamId ? ctx.loaders.team.load(e.teamId) : null),
    from: (e) => e.fromAt,
    to: (e) => e.toAt,
  },
  SpendExportSchedule: {
    team: (s, _a, ctx) => ctx.loaders.team.loadRequired(s.teamId),
  },
  SpendAnomaly: {
    model: (a, _args, ctx) => ctx.loaders.model.loadRequired(a.modelId),
    version: (a, _args, ctx) => (a.versionId ? ctx.loaders.version.load(a.versionId) : null),
    expectedRequests: (a) => Number(a.expectedRequests),
    actualRequests: (a) => Number(a.actualRequests),
  },
  Alert: {
    anomaly: (a, _args, ctx) => (a.anomalyId ? ctx.loaders.anomaly.load(a.anomalyId) : null),
    async explore(a, _args, ctx) {
      const [budget, anomaly] = await Promise.all([
        ctx.loaders.budget.loadRequired(a.budgetId),
        a.anomalyId ? ctx.loaders.anomaly.load(a.anomalyId) : null,
      ]);
      return alertExplorerLink(a, budget, anomaly);
    },
  },
} satisfies Resolvers;
