import { z } from "zod";
import { badInput } from "./errors.ts";

/**
 * Optimization policy steps and their parameters, as the contract's StepKind docs define:
 * PRUNE     { method: "structured" | "magnitude", sparsity: 0 < s < 1 }
 * FINE_TUNE { epochs: int, learningRate: float, batchSize: int, momentum?: float }  (SGD, TRAIN dataset)
 * QUANTIZE  { dtype: "uint8" | "uint16" | "float16", accuracyAware?: boolean }
 */
export const StepKinds = ["PRUNE", "FINE_TUNE", "QUANTIZE"] as const;
export type StepKind = (typeof StepKinds)[number];

export const stepParamSchemas = {
  PRUNE: z
    .object({
      method: z.enum(["structured", "magnitude"], { message: 'must be "structured" or "magnitude"' }),
      sparsity: z.number({ message: "must be a number" }).gt(0, "must be greater than 0").lt(1, "must be less than 1"),
    })
    .strict(),
  FINE_TUNE: z
    .object({
      epochs: z.number({ message: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(100, "must be at most 100"),
      learningRate: z.number({ message: "must be a number" }).gt(0, "must be greater than 0").max(10, "must be at most 10"),
      batchSize: z.number({ message: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(4096, "must be at most 4096"),
      momentum: z.number({ message: "must be a number" }).min(0, "must be at least 0").lt(1, "must be less than 1").optional(),
    })
    .strict(),
  QUANTIZE: z
    .object({
      dtype: z.enum(["uint8", "uint16", "float16"], { message: 'must be "uint8", "uint16" or "float16"' }),
      accuracyAware: z.boolean({ message: "must be true or false" }).optional(),
    })
    .strict(),
} as const;

export type StepParams<K extends StepKind> = z.infer<(typeof stepParamSchemas)[K]>;
export type PolicyStep = { [K in StepKind]: { kind: K; params: StepParams<K> } }[StepKind];

export const MAX_POLICY_STEPS = 10;

/** Validates a policy's steps; the error names the step (1-based) and the parameter. */
export function parsePolicySteps(steps: unknown): PolicyStep[] {
  if (!Array.isArray(steps) || steps.length === 0) throw badInput("steps: a policy needs at least one step", { field: "steps" });
  if (steps.length > MAX_POLICY_STEPS) throw badInput(`steps: at most ${MAX_POLICY_STEPS} steps (got ${steps.length})`, { field: "steps" });
  return steps.map((step, i) => {
    const n = i + 1;
    const kind = (step as { kind?: unknown })?.kind;
    if (!StepKinds.includes(kind as StepKind)) {
      throw badInput(`steps[${n}].kind: must be one of ${StepKinds.join(", ")} (got ${JSON.stringify(kind)})`, { field: `steps.${i}.kind`, step: n });
    }
    const params = (step as { params?: unknown }).params;
    const result = stepParamSchemas[kind as StepKind].safeParse(params ?? {});
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const param = issue.path.join(".") || (issue.code === "unrecognized_keys" ? (issue as { keys?: string[] }).keys?.join(", ") : "");
      const what = issue.code === "unrecognized_keys" ? `unknown parameter ${param}` : `${param} ${issue.message}`;
      throw badInput(`steps[${n}] (${kind}): ${what}`, { field: `steps.${i}.params${param ? `.${param}` : ""}`, step: n, parameter: param || undefined });
    }
    return { kind, params: result.data } as PolicyStep;
  });
}
