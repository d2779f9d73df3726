import { query } from "@/lib/api";
import { PolicyModelVersionsQuery, PolicyTeamVersionsQuery } from "@/lib/operations";
import { runOptions } from "@/lib/run-options";

/**
 * The run form's versions: the latest of the policy's model, or, for a team-wide policy, the
 * latest of the team's newest models (bounded by the queries' pages). READY ones only.
 */
export async function loadRunOptions(policy: { team: { id: string }; model: { id: string } | null }) {
  if (policy.model) {
    const { model } = await query(PolicyModelVersionsQuery, { modelId: policy.model.id });
    return model ? runOptions([{ name: model.name, versions: model.versions.edges.map((e) => e.node) }]) : [];
  }
  const { models } = await query(PolicyTeamVersionsQuery, { teamId: policy.team.id });
  return runOptions(
    models.edges.map(({ node }) => ({ name: node.name, versions: node.versions.edges.map((e) => e.node) })),
  );
}
