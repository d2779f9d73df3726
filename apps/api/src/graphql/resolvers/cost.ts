import { caller, mutation } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { upsertHardwareProfile } from "../../features/hardware/upsert-hardware-profile.ts";

export const costResolvers = {
  Query: {
    hardwareProfiles(_p, _a, ctx) {
      caller(ctx);
      return ctx.db.hardwareProfile.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }] });
    },
  },
  Mutation: {
    upsertHardwareProfile: mutation("upsertHardwareProfile", (a, ctx, p) => upsertHardwareProfile(ctx.db, p, a.input)),
  },
  CostMeasurement: {
    hardwareProfile: (c, _a, ctx) => ctx.loaders.hardwareProfile.loadRequired(c.hardwareProfileId),
  },
} satisfies Resolvers;
