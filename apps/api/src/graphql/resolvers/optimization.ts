import { teamScope, visibleOrNull, type PolicyStep } from "@costgate/core";
import type { ModelVersion, Prisma } from "@costgate/db";
import { caller, mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { newestFirst, paginate } from "../pagination.ts";
import { createOptimizationPolicy } from "../../features/optimization/create-policy.ts";
import { updateOptimizationPolicy } from "../../features/optimization/update-policy.ts";
import { runOptimizationPolicy } from "../../features/optimization/run-policy.ts";
import { cancelOptimizationJob } from "../../features/optimization/cancel-job.ts";

/** What the worker writes into a job's result about its choice (job-summary.ts in the worker). */
const resultOf = (result: Prisma.JsonValue): { frontier?: string[]; bestEffortVersionId?: string | null } =>
  result && typeof result === "object" && !Array.isArray(result)
    ? (result as { frontier?: string[]; bestEffortVersionId?: string | null })
    : {};

/** Steps are stored as JSON `[{ kind, params }]`, written only as parsePolicySteps returned them. */
const stepsOf = (steps: Prisma.JsonValue): PolicyStep[] => (Array.isArray(steps) ? (steps as PolicyStep[]) : []);

export const optimizationResolvers = {
  Query: {
    optimizationPolicies(_p, args, ctx) {
      const scope = teamScope(caller(ctx), args.teamId);
      return ctx.db.optimizationPolicy.findMany({ where: scope ? { teamId: scope } : {}, orderBy: newestFirst });
    },
    async optimizationPolicy(_p, { id }, ctx) {
      const principal = caller(ctx);
      const policy = await ctx.db.optimizationPolicy.findUnique({ where: { id } });
      return visibleOrNull(principal, policy, (p) => p.teamId);
    },
    async optimizationJob(_p, { id }, ctx) {
      const principal = caller(ctx);
      const job = await ctx.db.optimizationJob.findUnique({
        where: { id },
        include: { policy: { select: { teamId: true } } },
      });
      return visibleOrNull(principal, job, (j) => j.policy.teamId);
    },
    optimizationJobs(_p, args, ctx) {
      const scope = teamScope(caller(ctx));
      const where: Prisma.OptimizationJobWhereInput = {
        ...(scope ? { policy: { teamId: scope } } : {}),
        ...(args.status ? { status: args.status } : {}),
        ...(args.modelId ? { sourceVersion: { modelId: args.modelId } } : {}),
        ...(args.policyId ? { policyId: args.policyId } : {}),
      };
      return paginate(
        args,
        (page) => ctx.db.optimizationJob.findMany({ where, orderBy: newestFirst, ...page }),
        () => ctx.db.optimizationJob.count({ where }),
      );
    },
  },
  Mutation: {
    createOptimizationPolicy: mutation("createOptimizationPolicy", (a, ctx, p) =>
      createOptimizationPolicy(ctx.db, p, a.input),
    ),
    updateOptimizationPolicy: mutation("updateOptimizationPolicy", (a, ctx, p) =>
      updateOptimizationPolicy(ctx.db, p, a.id, a.input),
    ),
    runOptimizationPolicy: mutation("runOptimizationPolicy", (a, ctx, p) => runOptimizationPolicy(ctx, p, a)),
    cancelOptimizationJob: mutation("cancelOptimizationJob", (a, ctx, p) => cancelOptimizationJob(ctx, p, a.id)),
  },
  // Every lookup below goes through the request's loaders: a list of N policies or jobs reads
  // each kind of row once, not N times. The rows are reached by foreign keys from a policy or
  // job the caller may see (the queries above apply the team rule), so they need no check.
  OptimizationPolicy: {
    team: (p, _a, ctx) => ctx.loaders.team.loadRequired(p.teamId),
    model: (p, _a, ctx) => (p.modelId ? ctx.loaders.model.load(p.modelId) : null),
    steps: (p) => stepsOf(p.steps),
    hardwareProfile: (p, _a, ctx) =>
      p.hardwareProfileId ? ctx.loaders.hardwareProfile.load(p.hardwareProfileId) : null,
    // What a null hardwareProfile means, answered once here so no client has to look the default up.
    effectiveHardwareProfile: (p, _a, ctx) =>
      p.hardwareProfileId ? ctx.loaders.hardwareProfile.load(p.hardwareProfileId) : ctx.loaders.defaultProfile(),
  },
  OptimizationJob: {
    policy: (j, _a, ctx) => ctx.loaders.policy.loadRequired(j.policyId),
    sourceVersion: (j, _a, ctx) => ctx.loaders.version.loadRequired(j.sourceVersionId),
    model: async (j, _a, ctx) =>
      ctx.loaders.model.loadRequired((await ctx.loaders.version.loadRequired(j.sourceVersionId)).modelId),
    steps: (j) => stepsOf(j.steps),
    candidates: (j, _a, ctx) => ctx.loaders.jobCandidates.load(j.id),
    bestVersion: (j, _a, ctx) => (j.bestVersionId ? ctx.loaders.version.load(j.bestVersionId) : null),
    // The worker writes both into the job's result (after every trial of a SEARCH, and at the end).
    frontier: async (j, _a, ctx) => {
      const ids = resultOf(j.result).frontier ?? [];
      return (await ctx.loaders.version.loadMany(ids)).filter((v): v is ModelVersion => !!v && !(v instanceof Error));
    },
    queuePosition: (j, _a, ctx) => (j.status === "QUEUED" ? ctx.loaders.queuePosition.load(j.id) : null),
    bestEffortVersion: (j, _a, ctx) => {
      const id = resultOf(j.result).bestEffortVersionId;
      return id ? ctx.loaders.version.load(id) : null;
    },
  },
} satisfies Resolvers;
