import type { CostComparison, ModelVersion } from "@costgate/db";
import { mutation, type Context } from "../context.ts";
import { reevaluateModelVersion, remeasureModelVersion } from "../../features/registry/measure-again.ts";

export const measurementResolvers = {
  Mutation: {
    remeasureModelVersion: mutation(
      "remeasureModelVersion",
      (a: { versionId: string; hardwareProfileId?: string | null }, ctx, p) => remeasureModelVersion(ctx, p, a),
    ),
    reevaluateModelVersion: mutation("reevaluateModelVersion", (a: { versionId: string }, ctx, p) =>
      reevaluateModelVersion(ctx, p, a),
    ),
  },
  ModelVersion: {
    /** The latest paired measurement against its parent on the default profile, else on any profile. */
    async comparedToParent(v: ModelVersion, _a: unknown, ctx: Context) {
      if (!v.parentId) return null;
      const profileId = (await ctx.loaders.defaultProfile())?.id;
      return ctx.loaders.comparison.load({ versionId: v.id, profileId: profileId ?? null });
    },
  },
  CostComparison: {
    parent: (c: CostComparison, _a: unknown, ctx: Context) => ctx.loaders.version.load(c.parentId),
    hardwareProfile: (c: CostComparison, _a: unknown, ctx: Context) =>
      ctx.loaders.hardwareProfile.load(c.hardwareProfileId),
  },
} satisfies Record<string, Record<string, unknown>>;
