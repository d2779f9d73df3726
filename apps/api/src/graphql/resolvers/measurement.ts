import { mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { reevaluateModelVersion, remeasureModelVersion } from "../../features/registry/measure-again.ts";

export const measurementResolvers = {
  Mutation: {
    remeasureModelVersion: mutation("remeasureModelVersion", (a, ctx, p) => remeasureModelVersion(ctx, p, a)),
    reevaluateModelVersion: mutation("reevaluateModelVersion", (a, ctx, p) => reevaluateModelVersion(ctx, p, a)),
  },
  ModelVersion: {
    /** The latest paired measurement against its parent on the default profile, else on any profile. */
    async comparedToParent(v, _a, ctx) {
      if (!v.parentId) return null;
      const profileId = (await ctx.loaders.defaultProfile())?.id;
      return ctx.loaders.comparison.load({ versionId: v.id, profileId: profileId ?? null });
    },
  },
  CostComparison: {
    parent: (c, _a, ctx) => ctx.loaders.version.loadRequired(c.parentId),
    hardwareProfile: (c, _a, ctx) => ctx.loaders.hardwareProfile.loadRequired(c.hardwareProfileId),
  },
} satisfies Resolvers;
