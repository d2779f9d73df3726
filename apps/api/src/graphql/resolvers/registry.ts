import { teamScope, visibleOrNull } from "@costgate/core";
import type { Prisma } from "@costgate/db";
import { caller, mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { newestFirst, paginate } from "../pagination.ts";
import { createModel } from "../../features/registry/create-model.ts";
import { registerModelVersion } from "../../features/registry/register-model-version.ts";
import { registerDataset } from "../../features/registry/register-dataset.ts";
import { promoteModelVersion } from "../../features/registry/promote-model-version.ts";

export const registryResolvers = {
  Query: {
    models(_p, args, ctx) {
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
    async model(_p, { id }, ctx) {
      return visibleOrNull(caller(ctx), await ctx.db.model.findUnique({ where: { id } }), (m) => m.teamId);
    },
    async modelVersion(_p, { id }, ctx) {
      const principal = caller(ctx);
      const version = await ctx.db.modelVersion.findUnique({
        where: { id },
        include: { model: { select: { teamId: true } } },
      });
      return visibleOrNull(principal, version, (v) => v.model.teamId);
    },
  },
  Mutation: {
    createModel: mutation("createModel", (a, ctx, p) => createModel(ctx.db, p, a.input)),
    registerModelVersion: mutation("registerModelVersion", (a, ctx, p) => registerModelVersion(ctx, p, a.input)),
    registerDataset: mutation("registerDataset", (a, ctx, p) => registerDataset(ctx, p, a.input)),
    promoteModelVersion: mutation("promoteModelVersion", (a, ctx, p) => promoteModelVersion(ctx, p, a.input)),
  },
  Model: {
    team: (m, _a, ctx) => ctx.loaders.team.loadRequired(m.teamId),
    classNames: (m) => (m.classNames.length > 0 ? m.classNames : null),
    versions: (m, args, ctx) =>
      paginate(
        args,
        (page) => ctx.db.modelVersion.findMany({ where: { modelId: m.id }, orderBy: [{ number: "desc" }], ...page }),
        () => ctx.loaders.versionCount.load(m.id),
      ),
    productionVersion: (m, _a, ctx) => ctx.loaders.productionVersion.load(m.id),
    datasets: (m, _a, ctx) => ctx.loaders.modelDatasets.load(m.id),
  },
  ModelVersion: {
    model: (v, _a, ctx) => ctx.loaders.model.loadRequired(v.modelId),
    parent: (v, _a, ctx) => (v.parentId ? ctx.loaders.version.load(v.parentId) : null),
    children: (v, _a, ctx) => ctx.loaders.children.load(v.id),
    artifact: (v, _a, ctx) => ctx.loaders.artifact.loadRequired(v.artifactId),
    evaluation: (v, _a, ctx) => ctx.loaders.latestEvaluation.load(v.id),
    costs: (v, _a, ctx) => ctx.loaders.costs.load(v.id),
    async cost(v, { hardwareProfileId }, ctx) {
      const profileId = hardwareProfileId ?? (await ctx.loaders.defaultProfile())?.id;
      if (!profileId) return null;
      return ctx.loaders.cost.load({ versionId: v.id, profileId });
    },
  },
  Dataset: {
    artifact: (d, _a, ctx) => ctx.loaders.artifact.loadRequired(d.artifactId),
    labels: (d) => (d.role === "UNLABELED" || d.labels.length === 0 ? null : d.labels),
    preprocessing: (d) => d.preprocessing ?? null,
  },
  Evaluation: {
    dataset: (e, _a, ctx) => ctx.loaders.dataset.loadRequired(e.datasetId),
  },
} satisfies Resolvers;
