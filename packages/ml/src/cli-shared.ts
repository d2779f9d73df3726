/** Types and helpers shared by the costgate-ml commands. */
import { UsageError, oneOf, type OptionSpec, type Parsed } from "./cli-args.ts";
import { initBackend } from "./backend.ts";
import { loadCsvDataset, modelInputShape, type Dataset, type Task } from "./dataset.ts";
import { loadModel } from "./model-io.ts";
import type { tf } from "./tf.ts";

export interface CommandContext {
  json: boolean;
  /** The command's result (stdout). */
  out(text: string): void;
  /** Progress for people (stderr); silent with --json. */
  progress(text: string): void;
}

export interface CommandSpec {
  summary: string;
  help: string;
  run(argv: string[], ctx: CommandContext): Promise<void>;
}

export const COMMON: OptionSpec = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const TASKS = ["classification", "regression"] as const;

/** The one positional argument: the model.json path (or its directory). */
export function modelPath(p: Parsed, command: string): string {
  if (p.positionals.length === 0) throw new UsageError("missing <model.json>", command);
  if (p.positionals.length > 1) {
    throw new UsageError(
      `expected one <model.json>, got ${p.positionals.length} arguments: ${p.positionals.join(" ")}`,
      command,
    );
  }
  return p.positionals[0] as string;
}

/** --task, else guessed from the output layer: one linear unit is regression, anything else classification. */
export function taskOf(p: Parsed, command: string, model: tf.LayersModel): { task: Task; inferred: boolean } {
  const given = oneOf(p, "task", command, TASKS);
  if (given) return { task: given, inferred: false };
  const shape = model.outputs[0]?.shape ?? [];
  const last = model.layers[model.layers.length - 1];
  const activation = (last?.getConfig() as { activation?: unknown } | undefined)?.activation;
  const regression = shape[shape.length - 1] === 1 && (activation === undefined || activation === "linear");
  return { task: regression ? "regression" : "classification", inferred: true };
}

export function emit(ctx: CommandContext, result: unknown, human: () => string): void {
  ctx.out(ctx.json ? JSON.stringify(result, null, 2) : human());
}

export async function withModel<T>(path: string, fn: (model: tf.LayersModel) => Promise<T>): Promise<T> {
  await initBackend();
  const model = await loadModel(path);
  try {
    return await fn(model);
  } finally {
    model.dispose();
  }
}

export async function loadData(path: string, model: tf.LayersModel, task: Task): Promise<Dataset> {
  return loadCsvDataset(path, { inputShape: modelInputShape(model), task });
}

export function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}

export function metricText(metric: string, value: number): string {
  return metric === "accuracy" ? pct(value) : value.toPrecision(5);
}
