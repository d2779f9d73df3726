import { z } from "zod";
import { assertVisible, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { costGate, promoteVersion, type PromotionGate } from "@costgate/services";
import { validate } from "../validate.ts";

const Input = z.object({
  versionId: z.string().min(1),
  stage: z.enum(["CANDIDATE", "STAGING", "PRODUCTION", "ARCHIVED", "REJECTED"]),
  overrideReason: z.string().max(2000, "must be at most 2000 characters").nullish(),
});

/** Moves a version of the caller's team between stages through services' promoteVersion (the one promotion path, gate included). */
export async function promoteModelVersion(
  deps: { db: Db; producer: Producer; gate?: PromotionGate; now?: () => Date },
  principal: Principal,
  input: unknown,
) {
  const data = validate(Input, input);
  const version = await deps.db.modelVersion.findUnique({
    where: { id: data.versionId },
    select: { model: { select: { teamId: true } } },
  });
  assertVisible(principal, version, (r) => r.model.teamId, "Model version", data.versionId);
  // The cost gate on the API's clock (tests set it); PromotionResult.projection shows what it recorded.
  return promoteVersion(
    { ...deps, gate: deps.gate ?? costGate({ now: deps.now }) },
    { actor: principal.actor, role: principal.role },
    { versionId: data.versionId, stage: data.stage, overrideReason: data.overrideReason ?? null },
  );
}
