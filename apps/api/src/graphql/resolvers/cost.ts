import type { CostMeasurement } from "@costgate/db";
import { caller, mutation, type Context } from "../context.ts";
import { upsertHardwareProfile } from "../../features/hardware/upsert-hardware-profile.ts";

export const costResolvers = {
  Query: {
    hardwareProfiles(_p: unknown, _a: unknown, ctx: Context) {
      caller(ctx);
      return ctx.db.hardwareProfile.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }] });
    },
  },
  Mutation: {
    upsertHardwareProfile: mutation("upsertHardwareProfile", (a: { input: unknown }, ctx, p) =>
      upsertHardwareProfile(ctx.db, p, a.input),
    ),
  },
  CostMeasurement: {
    hardwareProfile: (c: CostMeasurement, _a: unknown, ctx: Context) =>
      ctx.loaders.hardwareProfile.load(c.hardwareProfileId),
  },
} satisfies Record<string, Record<string, unknown>>;
