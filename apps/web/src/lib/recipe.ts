// A version's recipe (the step's exact parameters and what it did) in one readable line:
// "structured, sparsity 0.5 · 61,450 → 15,370 parameters (−75%) · MACs −75% · 2 layers changed".
import { formatBytes, formatCount, formatPercent } from "./format";
import { describeParams } from "./steps";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function change(before: number, after: number): string {
  if (before === 0) return "";
  const rel = (after - before) / before;
  return ` (${rel <= 0 ? "−" : "+"}${formatPercent(Math.abs(rel))})`;
}

/** A training a search's time budget ended before its last epoch. */
const cutShort = (result: Obj) =>
  `cut short by the search's time budget after ${formatCount(num(result.batchesRun))} batch${result.batchesRun === 1 ? "" : "es"}`;

function describeResult(kind: string, result: Obj): string[] {
  const out: string[] = [];
  if (kind === "PRUNE") {
    const params = isObj(result.params) ? result.params : null;
    const macs = isObj(result.macs) ? result.macs : null;
    if (params && num(params.before) !== null && num(params.after) !== null) {
      out.push(
        `${formatCount(num(params.before))} → ${formatCount(num(params.after))} parameters${change(num(params.before)!, num(params.after)!)}`,
      );
    }
    if (macs && num(macs.before) !== null && num(macs.after) !== null)
      out.push(`MACs${change(num(macs.before)!, num(macs.after)!)}`);
    if (Array.isArray(result.layers))
      out.push(`${result.layers.length} layer${result.layers.length === 1 ? "" : "s"} changed`);
    const total = isObj(result.total) ? result.total : null;
    if (total && num(total.zeroed) !== null && num(total.weights) !== null)
      out.push(`${formatCount(num(total.zeroed))} of ${formatCount(num(total.weights))} weights zeroed`);
  } else if (kind === "FINE_TUNE") {
    if (num(result.epochsRun) !== null) out.push(`${result.epochsRun} epoch${result.epochsRun === 1 ? "" : "s"} run`);
    if (num(result.finalLoss) !== null) out.push(`final loss ${Number(num(result.finalLoss)!.toPrecision(4))}`);
    if (num(result.trainRows) !== null) out.push(`${formatCount(num(result.trainRows))} training rows`);
    if (result.stoppedEarly === true) out.push("stopped early");
    if (result.timeUp === true) out.push(cutShort(result));
  } else if (kind === "DISTILL") {
    if (num(result.epochs) !== null && num(result.rows) !== null) {
      const from = typeof result.inputsFrom === "string" ? ` ${result.inputsFrom}` : "";
      out.push(
        `${result.epochs} epoch${result.epochs === 1 ? "" : "s"} over ${formatCount(num(result.rows))}${from} inputs, matching the source version`,
      );
    }
    if (num(result.temperature) !== null) out.push(`temperature ${result.temperature}`);
    if (num(result.finalLoss) !== null) out.push(`final loss ${Number(num(result.finalLoss)!.toPrecision(4))}`);
    if (result.labelsUsed === false) out.push("no labels used");
    if (result.timeUp === true) out.push(cutShort(result));
  } else if (kind === "QUANTIZE") {
    if (num(result.bytesBefore) !== null && num(result.bytesAfter) !== null) {
      out.push(
        `weights ${formatBytes(num(result.bytesBefore))} → ${formatBytes(num(result.bytesAfter))}${change(num(result.bytesBefore)!, num(result.bytesAfter)!)}`,
      );
    }
    if (num(result.before) !== null && num(result.after) !== null && typeof result.metric === "string") {
      out.push(`${result.metric} ${Number(num(result.before)!.toFixed(4))} → ${Number(num(result.after)!.toFixed(4))}`);
    }
    const tensors = Array.isArray(result.tensors)
      ? result.tensors
      : Array.isArray(result.storage)
        ? result.storage
        : null;
    if (tensors) {
      const counts = new Map<string, number>();
      for (const t of tensors) {
        const storage = isObj(t) ? String(t.storage ?? t.dtype ?? "?") : String(t);
        counts.set(storage, (counts.get(storage) ?? 0) + 1);
      }
      out.push([...counts].map(([k, n]) => `${n} tensor${n === 1 ? "" : "s"} ${k}`).join(", "));
    }
  }
  if (out.length === 0) {
    for (const [k, v] of Object.entries(result))
      if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out.push(`${k} ${String(v)}`);
  }
  return out;
}

export function describeRecipe(source: string, recipe: unknown): string {
  if (recipe === null || recipe === undefined) return source === "UPLOAD" ? "Uploaded" : "No recipe recorded";
  if (!isObj(recipe)) return String(recipe);
  const kind = typeof recipe.kind === "string" ? recipe.kind : source;
  const parts: string[] = [];
  if (isObj(recipe.params)) parts.push(describeParams(kind, recipe.params));
  if (isObj(recipe.result)) parts.push(...describeResult(kind, recipe.result));
  for (const [k, v] of Object.entries(recipe)) {
    if (k === "params" || k === "result" || k === "kind") continue;
    if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") parts.push(`${k} ${String(v)}`);
  }
  return parts.filter(Boolean).join(" · ") || "—";
}
