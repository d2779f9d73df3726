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
 * Creates or updates a hardware profile by name. At most one profile is the default:
 * making one the default clears the flag on the others in the same transaction.
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
      throw badInput("isDefault: this is the default profile; make another profile the default instead", { field: "isDefault" });
    }
    const isDefault = data.isDefault ?? (before ? before.isDefault : anyDefault === 0);
    if (isDefault) await tx.hardwareProfile.updateMany({ where: { isDefault: true, name: { not: data.name } }, data: { isDefault: false } });
    const fields = {
      hourlyPriceUsd: price.toFixed(6),
      vcpus: data.vcpus,
      memoryGiB: data.memoryGiB,
      description: data.description ?? before?.description ?? null,
      priceSource: data.priceSource ?? before?.priceSource ?? null,
      batchSize: data.batchSize ?? before?.batchSize ?? 32,
      isDefault,
    };
    const profile = await tx.hardwareProfile.upsert({ where: { name: data.name }, create: { name: data.name, ...fields }, update: fields });
    await writeAudit(tx, {
      actor: principal.actor,
      action: before ? "hardware_profile.update" : "hardware_profile.create",
      entityType: "HardwareProfile",
      entityId: profile.id,
      before,
      after: profile,
    });
    return profile;
  });
}
