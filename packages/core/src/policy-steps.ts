import { z } from "zod";
import { badInput } from "./errors.ts";

/**
 * Optimization policy steps and their parameters, as the contract's StepKind docs define:
 * PRUNE     { method: "structured" | "magnitude", sparsity: 0 < s < 1 }
 * FINE_TUNE { epochs: int, learningRate: float, batchSize: int, momentum?: float }  (SGD, TRAIN dataset)
 * QUANTIZE  { dtype: "uint8" | "uint16" | "float16", accuracyAware?: boolean }
 * DISTILL   { epochs: int, learningRate: float, batchSize: int, temperature?: float > 0 (default 1) }
 *           (SGD towards the job's source version, inputs of the TRAIN or else the UNLABELED dataset)
 * SEARCH    { timeBudgetMinutes: 0 < m <= 1440, maxTrials?: int 1..200, recovery?: "auto" | "fine_tune" | "distill" | "none",
 *             dtypes?: ("uint8" | "uint16" | "float16")[] }  (the only step of its policy; defaults: SEARCH_DEFAULTS)
 */
export const StepKinds = ["PRUNE", "FINE_TUNE", "QUANTIZE", "DISTILL", "SEARCH"] as const;
export type StepKind = (typeof StepKinds)[number];

/** A numeric parameter's valid range: min (or more than min when minExclusive), at most / less than max. */
export interface NumberParam {
  type: "number";
  min: number;
  max: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
  optional?: boolean;
}

/**
 * Each step kind's parameters and their valid values: the one table the API's validation
 * (stepParamSchemas below) and the dashboard's step builder both read.
 */
export const STEP_PARAMS = {
  PRUNE: {
    method: { type: "enum", values: ["structured", "magnitude"] },
    sparsity: { type: "number", min: 0, minExclusive: true, max: 1, maxExclusive: true },
  },
  FINE_TUNE: {
    epochs: { type: "number", integer: true, min: 1, max: 100 },
    learningRate: { type: "number", min: 0, minExclusive: true, max: 10 },
    batchSize: { type: "number", integer: true, min: 1, max: 4096 },
    momentum: { type: "number", min: 0, max: 1, maxExclusive: true, optional: true },
  },
  QUANTIZE: {
    dtype: { type: "enum", values: ["uint8", "uint16", "float16"] },
    accuracyAware: { type: "boolean", optional: true },
  },
  DISTILL: {
    epochs: { type: "number", integer: true, min: 1, max: 100 },
    learningRate: { type: "number", min: 0, minExclusive: true, max: 10 },
    batchSize: { type: "number", integer: true, min: 1, max: 4096 },
    temperature: { type: "number", min: 0, minExclusive: true, max: 100, optional: true },
  },
  SEARCH: {
    timeBudgetMinutes: { type: "number", min: 0, minExclusive: true, max: 24 * 60 },
    maxTrials: { type: "number", integer: true, min: 1, max: 200, optional: true },
    recovery: { type: "enum", values: ["auto", "fine_tune", "distill", "none"], optional: true },
    dtypes: { type: "enumList", values: ["uint8", "uint16", "float16"], optional: true },
  },
} as const satisfies Record<
  StepKind,
  Record<
    string,
    | NumberParam
    | { type: "enum"; values: readonly string[]; optional?: true }
    | { type: "enumList"; values: readonly string[]; optional: true }
    | { type: "boolean"; optional: true }
  >
>;

/**
 * What SEARCH does when a parameter is left out. recovery "auto" is fine_tune when the model has
 * a TRAIN dataset (labelled), else distill when it has UNLABELED inputs, else none
 * (resolveSearchRecovery). dtypes: float16 first (2x smaller files, almost never a measurable
 * accuracy change), then uint8 (4x smaller, accuracy-aware); uint16 is no smaller than float16.
 */
export const SEARCH_DEFAULTS = { recovery: "auto", dtypes: ["float16", "uint8"] } as const;

export type SearchRecovery = "fine_tune" | "distill" | "none";

/** The recovery a SEARCH runs after each prune, given the model's datasets. */
export function resolveSearchRecovery(
  recovery: "auto" | SearchRecovery | undefined,
  datasets: { train: boolean; unlabeled: boolean },
): SearchRecovery {
  const wanted = recovery ?? SEARCH_DEFAULTS.recovery;
  if (wanted !== "auto") return wanted;
  return datasets.train ? "fine_tune" : datasets.unlabeled ? "distill" : "none";
}

function numberParam(r: NumberParam) {
  let s = z.number({ message: "must be a number" });
  if (r.integer) s = s.int("must be a whole number");
  s = r.minExclusive ? s.gt(r.min, `must be greater than ${r.min}`) : s.min(r.min, `must be at least ${r.min}`);
  return r.maxExclusive ? s.lt(r.max, `must be less than ${r.max}`) : s.max(r.max, `must be at most ${r.max}`);
}

const quoted = (values: readonly string[]) => {
  const q = values.map((v) => `"${v}"`);
  return `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`;
};

function enumParam<const V extends readonly [string, ...string[]]>(r: { values: V }) {
  return z.enum(r.values, { message: `must be ${quoted(r.values)}` });
}

const P = STEP_PARAMS;

function enumListParam<const V extends readonly [string, ...string[]]>(r: { values: V }) {
  return z
    .array(enumParam(r), { message: `must be a list of ${quoted(r.values)}` })
    .min(1, "must name at least one dtype")
    .refine((list) => new Set(list).size === list.length, "must not repeat a dtype");
}

const stepParamSchemas = {
  PRUNE: z.object({ method: enumParam(P.PRUNE.method), sparsity: numberParam(P.PRUNE.sparsity) }).strict(),
  FINE_TUNE: z
    .object({
      epochs: numberParam(P.FINE_TUNE.epochs),
      learningRate: numberParam(P.FINE_TUNE.learningRate),
      batchSize: numberParam(P.FINE_TUNE.batchSize),
      momentum: numberParam(P.FINE_TUNE.momentum).optional(),
    })
    .strict(),
  QUANTIZE: z
    .object({
      dtype: enumParam(P.QUANTIZE.dtype),
      accuracyAware: z.boolean({ message: "must be true or false" }).optional(),
    })
    .strict(),
  DISTILL: z
    .object({
      epochs: numberParam(P.DISTILL.epochs),
      learningRate: numberParam(P.DISTILL.learningRate),
      batchSize: numberParam(P.DISTILL.batchSize),
      temperature: numberParam(P.DISTILL.temperature).optional(),
    })
    .strict(),
  SEARCH: z
    .object({
      timeBudgetMinutes: numberParam(P.SEARCH.timeBudgetMinutes),
      maxTrials: numberParam(P.SEARCH.maxTrials).optional(),
      recovery: enumParam(P.SEARCH.recovery).optional(),
      dtypes: enumListParam(P.SEARCH.dtypes).optional(),
    })
    .strict(),
} as const;

type StepParams<K extends StepKind> = z.infer<(typeof stepParamSchemas)[K]>;
export type PolicyStep = { [K in StepKind]: { kind: K; params: StepParams<K> } }[StepKind];

const MAX_POLICY_STEPS = 10;

export type SearchParams = StepParams<"SEARCH">;

/** Validates a policy's steps; the error names the step (1-based) and the parameter. */
export function parsePolicySteps(steps: unknown): PolicyStep[] {
  if (!Array.isArray(steps) || steps.length === 0)
    throw badInput("steps: a policy needs at least one step", { field: "steps" });
  if (steps.length > MAX_POLICY_STEPS)
    throw badInput(`steps: at most ${MAX_POLICY_STEPS} steps (got ${steps.length})`, { field: "steps" });
  const search = steps.findIndex((s) => (s as { kind?: unknown })?.kind === "SEARCH");
  if (search >= 0 && steps.length > 1)
    throw badInput(
      `steps[${search + 1}] (SEARCH): SEARCH is the only step of its policy (it prunes, recovers and quantizes by itself): remove the other ${steps.length - 1} step(s) or make a separate policy`,
      { field: "steps", step: search + 1 },
    );
  return steps.map((step, i) => {
    const n = i + 1;
    const kind = (step as { kind?: unknown })?.kind;
    if (!StepKinds.includes(kind as StepKind)) {
      throw badInput(`steps[${n}].kind: must be one of ${StepKinds.join(", ")} (got ${JSON.stringify(kind)})`, {
        field: `steps.${i}.kind`,
        step: n,
      });
    }
    const params = (step as { params?: unknown }).params;
    const result = stepParamSchemas[kind as StepKind].safeParse(params ?? {});
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const param =
        issue.path.join(".") ||
        (issue.code === "unrecognized_keys" ? (issue as { keys?: string[] }).keys?.join(", ") : "");
      const what = issue.code === "unrecognized_keys" ? `unknown parameter ${param}` : `${param} ${issue.message}`;
      throw badInput(`steps[${n}] (${kind}): ${what}`, {
        field: `steps.${i}.params${param ? `.${param}` : ""}`,
        step: n,
        parameter: param || undefined,
      });
    }
    return { kind, params: result.data } as PolicyStep;
  });
}
