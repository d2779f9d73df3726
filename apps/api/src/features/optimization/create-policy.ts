import { z } from "zod";
import { assertTeamAccess, notFound, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";
import { conflictOnDuplicate } from "../unique-violation.ts";
import { assertModelInTeam } from "../model-in-team.ts";
import { MaxAccuracyDrop, PolicyName, Trigger, assertHardwareProfile, stepsJson } from "./policy-fields.ts";

const Input = z.object({
  name: PolicyName,
  teamId: z.string().min(1),
  modelId: z.string().min(1).nullish(),
  steps: z.array(z.unknown()),
  maxAccuracyDrop: MaxAccuracyDrop,
  hardwareProfileId: z.string().min(1).nullish(),
  trigger: Trigger.nullish(),
  autoPromote: z.boolean().nullish(),
});

/** Creates a policy in the caller's team after checking every step, the guardrail, the model and the hardware profile. */
export async function createOptimizationPolicy(db: Db, principal: Principal, input: unknown) {
  const data = validate(Input, input);
  assertTeamAccess(principal, data.teamId);
  const steps = stepsJson(data.steps);
  if (!(await db.team.findUnique({ where: { id: data.teamId }, select: { id: true } })))
    throw notFound("Team", data.teamId);
  if (data.modelId) await assertModelInTeam(db, principal, data.modelId, data.teamId, "policy");
  if (data.hardwareProfileId) await assertHardwareProfile(db, data.hardwareProfileId);
  return conflictOnDuplicate(
    () =>
      db.$transaction(async (tx) => {
        const policy = await tx.optimizationPolicy.create({
          data: {
            name: data.name,
            teamId: data.teamId,
            modelId: data.modelId ?? null,
            steps,
            maxAccuracyDrop: data.maxAccuracyDrop,
            hardwareProfileId: data.hardwareProfileId ?? null,
            trigger: data.trigger ?? "MANUAL",
            autoPromote: data.autoPromote ?? false,
          },
        });
        await writeAudit(tx, {
          actor: principal.actor,
          action: "policy.create",
          entityType: "OptimizationPolicy",
          entityId: policy.id,
          teamId: policy.teamId,
          after: policy,
        });
        return policy;
      }),
    `The team already has an optimization policy named "${data.name}"`,
  );
}
