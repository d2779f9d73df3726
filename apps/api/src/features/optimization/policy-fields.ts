import { z } from "zod";
import { notFound, parsePolicySteps, type PolicyStep } from "@costgate/core";
import type { Db, Prisma } from "@costgate/db";

/** Fields shared by create and update; steps are checked by parsePolicySteps (naming step and parameter). */
export const PolicyName = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
export const MaxAccuracyDrop = z
  .number({ message: "must be a number" })
  .min(0, "must be at least 0 (0 allows no drop)")
  .max(1, "must be at most 1 (an absolute drop of the metric: 0.01 = one point of accuracy)");
export const Trigger = z.enum(["MANUAL", "NEW_VERSION", "BUDGET_AT_RISK"]);

export const stepsJson = (steps: unknown): Prisma.InputJsonValue =>
  parsePolicySteps(steps) as PolicyStep[] as unknown as Prisma.InputJsonValue;

export async function assertHardwareProfile(db: Db, id: string): Promise<void> {
  if (!(await db.hardwareProfile.findUnique({ where: { id }, select: { id: true } })))
    throw notFound("Hardware profile", id);
}
