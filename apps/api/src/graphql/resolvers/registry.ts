import { teamScope, visibleOrNull } from "@costgate/core";
import type { Dataset, Model, ModelVersion, Prisma } from "@costgate/db";
import { caller, mutation, type Context } from "../context.ts";
import { newestFirst, paginate } from "../pagination.ts";
import { createModel } from "../../features/registry/create-model.ts";
import { registerModelVersion } from "../../features/registry/register-model-version.ts";
import { registerDataset } from "../../features/registry/register-dataset.ts";
import { promoteModelVersion } from "../../features/registry/promote-model-version.ts";

export const registryResolvers = {
  Query: {
    models(
      _p: unknown,
      args: { teamId?: string | null; search?: string | null; first?: number; after?: string | null },
      ctx: Context,
    ) {
      const scope = teamScope(caller(ctx), args.teamId);
      const search = args.search?.trim();
      const where: Prisma.ModelWhereInput = {
        ...(scope ? { teamId: scope } : {}),
        ...(search
          ? {
              OR: [
                { name: { contains: search, mode: "insensitive" } },
                { description: { contains: search, mode: "insensitive" } },
              ],
            }
          : {}),
      };
      return paginate(
        args,
        (page) => ctx.db.model.findMany({ where, orderBy: newestFirst, ...page }),
        () => ctx.db.model.count({ where }),
      );
    },
    async model(_p: unknown, { id }: { id: string }, ctx: Context) {
      return visibleOrNull(caller(ctx), await ctx.db.model.findUnique({ where: { id } }), (m) => m.teamId);
    },
    async modelVersion(_p: unknown, { id }: { id: string }, ctx: Context) {
      const principal = caller(ctx);
      const version = await ctx.db.modelVersion.findUnique({
        where: { id },
        include: { model: { select: { teamId: true } } },
      });
      return visibleOrNull(principal, version, (v) => v.model.teamId);
    },
  },
  Mutation: {
    createModel: mutation("createModel", (a: { input: unknown }, ctx, p) => createModel(ctx.db, p, a.input)),
    registerModelVersion: mutation("registerModelVersion", (a: { input: unknown }, ctx, p) =>
      registerModelVersion(ctx, p, a.input),
    ),
    registerDataset: mutation("registerDataset", (a: { input: unknown }, ctx, p) => registerDataset(ctx, p, a.input)),
    promoteModelVersion: mutation("promoteModelVersion", (a: { input: unknown }, ctx, p) =>
      promoteModelVersion(ctx, p, a.input),
    ),
  },
  Model: {
    team: (m: Model, _a: unknown, ctx: Context) => ctx.loaders.team.load(m.teamId),
    classNames: (m: Model) => (m.classNames.length > 0 ? m.classNames : null),
    versions: (m: Model, args: { first?: number; after?: string }, ctx: Context) =>
      paginate(
        args,
        (page) => ctx.db.modelVersion.findMany({ where: { modelId: m.id }, orderBy: [{ number: "desc" }], ...page }),
        () => ctx.loaders.versionCount.load(m.id),
      ),
    productionVersion: (m: Model, _a: unknown, ctx: Context) => ctx.loaders.productionVersion.load(m.id),
    datasets: (m: Model, _a: unknown, ctx: Context) =>
      ctx.db.dataset.findMany({ where: { modelId: m.id }, orderBy: newestFirst }),
  },
  ModelVersion: {
    model: (v: ModelVersion, _a: unknown, ctx: Context) => ctx.loaders.model.load(v.modelId),
    parent: (v: ModelVersion, _a: unknown, ctx: Context) => (v.parentId ? ctx.loaders.version.load(v.parentId) : null),
    children: (v: ModelVersion, _a: unknown, ctx: Context) => ctx.loaders.children.load(v.id),
    artifact: (v: ModelVersion, _a: unknown, ctx: Context) => ctx.loaders.artifact.load(v.artifactId),
    evaluation: (v: ModelVersion, _a: unknown, ctx: Context) => ctx.loaders.latestEvaluation.load(v.id),
    costs: (v: ModelVersion, _a: unknown, ctx: Context) => ctx.loaders.costs.load(v.id),
    async cost(v: ModelVersion, { hardwareProfileId }: { hardwareProfileId?: string | null }, ctx: Context) {
      const profileId = hardwareProfileId ?? (await ctx.loaders.defaultProfile())?.id;
      if (!profileId) return null;
      return ctx.loaders.cost.load({ versionId: v.id, profileId });
    },
  },
  Dataset: {
    artifact: (d: Dataset, _a: unknown, ctx: Context) => ctx.loaders.artifact.load(d.artifactId),
  },
  Evaluation: {
    dataset: (e: { datasetId: string }, _a: unknown, ctx: Context) => ctx.loaders.dataset.load(e.datasetId),
  },
} satisfies Record<string, Record<string, unknown>>;
