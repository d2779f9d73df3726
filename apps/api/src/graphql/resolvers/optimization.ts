import { teamScope, visibleOrNull } from "@costgate/core";
import type { OptimizationJob, OptimizationPolicy, Prisma } from "@costgate/db";
import { caller, mutation, type Context } from "../context.ts";
import { newestFirst, paginate } from "../pagination.ts";
import { createOptimizationPolicy } from "../../features/optimization/create-policy.ts";
import { updateOptimizationPolicy } from "../../features/optimization/update-policy.ts";
import { runOptimizationPolicy } from "../../features/optimization/run-policy.ts";
import { cancelOptimizationJob } from "../../features/optimization/cancel-job.ts";

type JobStatus = OptimizationJob["status"];

/** Steps are stored as validated JSON `[{ kind, params }]`. */
const stepsOf = (steps: Prisma.JsonValue) => (Array.isArray(steps) ? steps : []);

export const optimizationResolvers = {
  Query: {
    optimizationPolicies(_p: unknown, args: { teamId?: string | null }, ctx: Context) {
      const scope = teamScope(caller(ctx), args.teamId);
      return ctx.db.optimizationPolicy.findMany({ where: scope ? { teamId: scope } : {}, orderBy: newestFirst });
    },
    async optimizationPolicy(_p: unknown, { id }: { id: string }, ctx: Context) {
      const principal = caller(ctx);
      const policy = await ctx.db.optimizationPolicy.findUnique({ where: { id } });
      return visibleOrNull(principal, policy, (p) => p.teamId);
    },
    async optimizationJob(_p: unknown, { id }: { id: string }, ctx: Context) {
      const principal = caller(ctx);
      const job = await ctx.db.optimizationJob.findUnique({
        where: { id },
        include: { policy: { select: { teamId: true } } },
      });
      return visibleOrNull(principal, job, (j) => j.policy.teamId);
    },
    optimizationJobs(
      _p: unknown,
      args: {
        status?: JobStatus | null;
        modelId?: string | null;
        policyId?: string | null;
        first?: number;
        after?: string | null;
      },
      ctx: Context,
    ) {
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
    createOptimizationPolicy: mutation("createOptimizationPolicy", (a: { input: unknown }, ctx, p) =>
      createOptimizationPolicy(ctx.db, p, a.input),
    ),
    updateOptimizationPolicy: mutation("updateOptimizationPolicy", (a: { id: string; input: unknown }, ctx, p) =>
      updateOptimizationPolicy(ctx.db, p, a.id, a.input),
    ),
    runOptimizationPolicy: mutation("runOptimizationPolicy", (a: { policyId: string; versionId: string }, ctx, p) =>
      runOptimizationPolicy(ctx, p, a),
    ),
    cancelOptimizationJob: mutation("cancelOptimizationJob", (a: { id: string }, ctx, p) =>
      cancelOptimizationJob(ctx, p, a.id),
    ),
  },
  OptimizationPolicy: {
    team: (p: OptimizationPolicy, _a: unknown, ctx: Context) =>
      ctx.db.team.findUniqueOrThrow({ where: { id: p.teamId } }),
    model: (p: OptimizationPolicy, _a: unknown, ctx: Context) =>
      p.modelId ? ctx.db.model.findUnique({ where: { id: p.modelId } }) : null,
    steps: (p: OptimizationPolicy) => stepsOf(p.steps),
    hardwareProfile: (p: OptimizationPolicy, _a: unknown, ctx: Context) =>
      p.hardwareProfileId ? ctx.db.hardwareProfile.findUnique({ where: { id: p.hardwareProfileId } }) : null,
  },
  OptimizationJob: {
    policy: (j: OptimizationJob, _a: unknown, ctx: Context) =>
      ctx.db.optimizationPolicy.findUniqueOrThrow({ where: { id: j.policyId } }),
    sourceVersion: (j: OptimizationJob, _a: unknown, ctx: Context) =>
      ctx.db.modelVersion.findUniqueOrThrow({ where: { id: j.sourceVersionId } }),
    model: async (j: OptimizationJob, _a: unknown, ctx: Context) =>
      (await ctx.db.modelVersion.findUniqueOrThrow({ where: { id: j.sourceVersionId }, select: { model: true } }))
        .model,
    steps: (j: OptimizationJob) => stepsOf(j.steps),
    candidates: (j: OptimizationJob, _a: unknown, ctx: Context) =>
      ctx.db.modelVersion.findMany({ where: { jobId: j.id }, orderBy: [{ stepIndex: "asc" }, { number: "asc" }] }),
    bestVersion: (j: OptimizationJob, _a: unknown, ctx: Context) =>
      j.bestVersionId ? ctx.db.modelVersion.findUnique({ where: { id: j.bestVersionId } }) : null,
  },
} satisfies Record<string, Record<string, unknown>>;
