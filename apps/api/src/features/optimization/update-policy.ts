import { z } from "zod";
import { assertVisible, type Principal } from "@costgate/core";
import type { Db, Prisma } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { conflictOnDuplicate } from "../unique-violation.ts";
import { MaxAccuracyDrop, PolicyName, Trigger, assertHardwareProfile, stepsJson } from "./policy-fields.ts";

// null for a field that cannot be empty means "leave it"; hardwareProfileId: null clears it.
const Input = z.object({
  name: PolicyName.nullish(),
  steps: z.array(z.unknown()).nullish(),
  maxAccuracyDrop: MaxAccuracyDrop.nullish(),
  hardwareProfileId: z.string().min(1).nullish(),
  trigger: Trigger.nullish(),
  autoPromote: z.boolean().nullish(),
  enabled: z.boolean().nullish(),
});

/** Changes the given fields, re-validating them as create does; jobs already created keep their snapshot of the steps. */
export async function updateOptimizationPolicy(db: Db, principal: Principal, id: string, input: unknown) {
  const data = validate(Input, input);
  const policy = await db.optimizationPolicy.findUnique({ where: { id } });
  assertVisible(principal, policy, (r) => r.teamId, "Optimization policy", id);

  const changes: Prisma.OptimizationPolicyUncheckedUpdateInput = {};
  if (data.name != null) changes.name = data.name;
  if (data.steps != null) changes.steps = stepsJson(data.steps);
  if (data.maxAccuracyDrop != null) changes.maxAccuracyDrop = data.maxAccuracyDrop;
  if (data.hardwareProfileId !== undefined) {
    if (data.hardwareProfileId !== null) await assertHardwareProfile(db, data.hardwareProfileId);
    changes.hardwareProfileId = data.hardwareProfileId;
  }
  if (data.trigger != null) changes.trigger = data.trigger;
  if (data.autoPromote != null) changes.autoPromote = data.autoPromote;
  if (data.enabled != null) changes.enabled = data.enabled;

  return conflictOnDuplicate(
    () =>
      db.$transaction(async (tx) => {
        const before = await tx.optimizationPolicy.findUniqueOrThrow({ where: { id } });
        const after = await tx.optimizationPolicy.update({ where: { id }, data: changes });
        await writeAudit(tx, {
          actor: principal.actor,
          action: "policy.update",
          entityType: "OptimizationPolicy",
          entityId: id,
          teamId: after.teamId,
          before,
          after,
        });
        return after;
      }),
    `The team already has an optimization policy named "${data.name}"`,
  );
}
