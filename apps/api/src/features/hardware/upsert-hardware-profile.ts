import { z } from "zod";
import { badInput, parseMoney, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";

const Input = z.object({
  name: z.string().trim().min(1, "must not be empty").max(100),
  hourlyPriceUsd: z.string(),
  vcpus: z.number().int().min(1, "must be at least 1").max(1024),
  memoryGiB: z.number().positive("must be positive").max(65536),
  description: z.string().trim().max(1000).nullish(),
  priceSource: z.string().trim().max(1000).nullish(),
  isDefault: z.boolean().nullish(),
  batchSize: z.number().int().min(1).max(4096).nullish(),
});

/**
 * Creates or updates a hardware profile by name (ADMIN only: profiles are global). At most one
 * profile is the default: making one the default clears the flag on the others in the same
 * transaction. Audited once globally (naming the affected teams) and once per affected team.
 * A price change never re-prices recorded usage: each record keeps its cost and measurement.
 */
export async function upsertHardwareProfile(db: Db, principal: Principal, input: unknown) {
  const data = validate(Input, input);
  let price;
  try {
    price = parseMoney(data.hourlyPriceUsd, "hourlyPriceUsd");
  } catch (e) {
    throw badInput((e as Error).message, { field: "hourlyPriceUsd" });
  }
  if (price.lte(0)) throw badInput("hourlyPriceUsd must be greater than 0", { field: "hourlyPriceUsd" });

  return db.$transaction(async (tx) => {
    const before = await tx.hardwareProfile.findUnique({ where: { name: data.name } });
    const anyDefault = await tx.hardwareProfile.count({ where: { isDefault: true } });
    if (before?.isDefault && data.isDefault === false) {
      throw badInput("isDefault: this is the default profile; make another profile the default instead", {
        field: "isDefault",
      });
    }
    const isDefault = data.isDefault ?? (before ? before.isDefault : anyDefault === 0);
    if (isDefault)
      await tx.hardwareProfile.updateMany({
        where: { isDefault: true, name: { not: data.name } },
        data: { isDefault: false },
      });
    const fields = {
      hourlyPriceUsd: price.toFixed(6),
      vcpus: data.vcpus,
      memoryGiB: data.memoryGiB,
      description: data.description ?? before?.description ?? null,
      priceSource: data.priceSource ?? before?.priceSource ?? null,
      batchSize: data.batchSize ?? before?.batchSize ?? 32,
      isDefault,
    };
    const previousDefault =
      isDefault && !before?.isDefault
        ? await tx.hardwareProfile.findFirst({ where: { isDefault: true, name: { not: data.name } } })
        : null;
    const profile = await tx.hardwareProfile.upsert({
      where: { name: data.name },
      create: { name: data.name, ...fields },
      update: fields,
    });
    // Teams whose costs this profile decides: versions measured on it, and, when it becomes the
    // default, on the profile their unnamed usage was priced by until now.
    const profileIds = [profile.id, ...(previousDefault ? [previousDefault.id] : [])];
    const teams = await tx.$queryRaw<{ teamId: string }[]>`
      SELECT DISTINCT m.team_id AS "teamId" FROM cost_measurements cm
      JOIN model_versions v ON v.id = cm.version_id JOIN models m ON m.id = v.model_id
      WHERE cm.hardware_profile_id = ANY(${profileIds}::text[]) ORDER BY 1`;
    const affectedTeamIds = teams.map((t) => t.teamId);
    const event = {
      actor: principal.actor,
      action: before ? "hardware_profile.update" : "hardware_profile.create",
      entityType: "HardwareProfile",
      entityId: profile.id,
      before,
    };
    await writeAudit(tx, { ...event, after: { ...profile, affectedTeamIds } });
    // One event in each affected team's own log, so its FINANCE sees who changed its prices.
    for (const teamId of affectedTeamIds) await writeAudit(tx, { ...event, teamId, after: profile });
    return profile;
  });
}
