import type { Db, HardwareProfile } from "@costgate/db";

/** The profile this worker measures for: WORKER_HARDWARE_PROFILE by name, else the default. */
export async function resolveHardwareProfile(db: Db, name: string | undefined): Promise<HardwareProfile> {
  if (name) {
    const profile = await db.hardwareProfile.findUnique({ where: { name } });
    if (!profile) {
      const known = (await db.hardwareProfile.findMany({ select: { name: true } })).map((p) => p.name);
      throw new Error(
        `WORKER_HARDWARE_PROFILE=${name} names no hardware profile (known: ${known.join(", ") || "none — run the seed"})`,
      );
    }
    return profile;
  }
  const profile = await db.hardwareProfile.findFirst({ where: { isDefault: true } });
  if (!profile)
    throw new Error("No default hardware profile: run the seed (npm run db:seed) or set WORKER_HARDWARE_PROFILE");
  return profile;
}
