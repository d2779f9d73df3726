import { assertPasswordStrength } from "@costgate/core";
import { hashPassword } from "@costgate/secrets";
import type { PrismaClient } from "@prisma/client";

/**
 * AWS on-demand prices, us-east-1, Linux (third-party price tables, 2025–26).
 * c7i.large is the default profile workers measure for.
 */
export const HARDWARE_PROFILES = [
  {
    name: "c7g.large",
    hourlyPriceUsd: "0.0725",
    vcpus: 2,
    memoryGiB: 4,
    description: "AWS Graviton3, 2 vCPU, 4 GiB",
    isDefault: false,
  },
  {
    name: "c7i.large",
    hourlyPriceUsd: "0.08925",
    vcpus: 2,
    memoryGiB: 4,
    description: "AWS Intel Sapphire Rapids, 2 vCPU, 4 GiB",
    isDefault: true,
  },
  {
    name: "m7i.xlarge",
    hourlyPriceUsd: "0.2016",
    vcpus: 4,
    memoryGiB: 16,
    description: "AWS Intel Sapphire Rapids, 4 vCPU, 16 GiB",
    isDefault: false,
  },
  {
    name: "g5.xlarge",
    hourlyPriceUsd: "1.006",
    vcpus: 4,
    memoryGiB: 16,
    description: "AWS NVIDIA A10G, 4 vCPU, 16 GiB",
    isDefault: false,
  },
] as const;

const PRICE_SOURCE = "AWS EC2 on-demand, us-east-1, Linux; third-party price tables 2025-26";

export const DEMO_TEAM = { name: "Demo ML Platform", slug: "demo" } as const;

export interface SeedOptions {
  adminEmail: string;
  adminPassword: string;
  /** Also create the demo team `npm start` shows. */
  demo?: boolean;
}

export interface SeedResult {
  adminCreated: boolean;
  profilesCreated: number;
  demoTeamCreated: boolean;
}

/**
 * Safe to run any number of times: creates what is missing and changes nothing that
 * exists (an admin's password or a profile price edited later are left alone).
 */
export async function seedDatabase(db: PrismaClient, opts: SeedOptions): Promise<SeedResult> {
  const email = opts.adminEmail.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new Error(`COSTGATE_ADMIN_EMAIL is not an email address: ${JSON.stringify(opts.adminEmail)}`);
  assertPasswordStrength(opts.adminPassword);

  return db.$transaction(async (tx) => {
    let adminCreated = false;
    if (!(await tx.user.findUnique({ where: { email } }))) {
      const admin = await tx.user.create({
        data: { email, name: "Administrator", role: "ADMIN", passwordHash: await hashPassword(opts.adminPassword) },
      });
      await tx.auditEvent.create({
        data: {
          actor: "system",
          action: "user.create",
          entityType: "User",
          entityId: admin.id,
          after: { email, role: "ADMIN", by: "seed" },
        },
      });
      adminCreated = true;
    }

    const hasDefault = (await tx.hardwareProfile.count({ where: { isDefault: true } })) > 0;
    let profilesCreated = 0;
    for (const p of HARDWARE_PROFILES) {
      if (await tx.hardwareProfile.findUnique({ where: { name: p.name } })) continue;
      await tx.hardwareProfile.create({
        data: { ...p, isDefault: p.isDefault && !hasDefault, priceSource: PRICE_SOURCE },
      });
      profilesCreated++;
    }

    let demoTeamCreated = false;
    if (opts.demo && !(await tx.team.findUnique({ where: { slug: DEMO_TEAM.slug } }))) {
      const team = await tx.team.create({ data: DEMO_TEAM });
      await tx.auditEvent.create({
        data: {
          actor: "system",
          action: "team.create",
          entityType: "Team",
          entityId: team.id,
          teamId: team.id,
          after: { ...DEMO_TEAM, by: "seed" },
        },
      });
      demoTeamCreated = true;
    }
    return { adminCreated, profilesCreated, demoTeamCreated };
  });
}
