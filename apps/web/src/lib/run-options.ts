// The choices of a policy's run form: READY versions only, newest first, labelled with their
// model, number, source and stage ("Churn classifier v3 (Prune, Candidate)").
import { humanize } from "./format";

export interface RunnableModel {
  name: string;
  versions: { id: string; number: number; source: string; status: string; stage: string; createdAt: string }[];
}

export function runOptions(models: readonly RunnableModel[]): { id: string; label: string }[] {
  return models
    .flatMap((m) => m.versions.filter((v) => v.status === "READY").map((v) => ({ ...v, modelName: m.name })))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number - a.number)
    .map((v) => ({ id: v.id, label: `${v.modelName} v${v.number} (${humanize(v.source)}, ${humanize(v.stage)})` }));
}
