import { assertVisible, badInput, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";

/**
 * The modelId of a row being written (a budget's, a policy's): the model must exist, be visible
 * to the caller (another team's is "not found" to a non-admin) and belong to the row's team.
 */
export async function assertModelInTeam(
  db: Db,
  principal: Principal,
  modelId: string,
  teamId: string,
  owner: "budget" | "policy",
): Promise<void> {
  const model = await db.model.findUnique({ where: { id: modelId }, select: { teamId: true, name: true } });
  assertVisible(principal, model, (m) => m.teamId, "Model", modelId);
  if (model.teamId !== teamId) {
    throw badInput(`modelId: model ${model.name} belongs to another team than the ${owner}`, { field: "modelId" });
  }
}
