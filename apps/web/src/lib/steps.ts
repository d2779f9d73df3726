// Optimization policy steps for the step builder: each kind's parameters with labels, help and
// defaults. The kinds, the valid ranges and the allowed values are core's (STEP_PARAMS in
// packages/core/src/policy-steps.ts, the table the API validates with), so a range changes in
// one place; the validation below names the step and the parameter like the API does.
import { SEARCH_DEFAULTS, STEP_PARAMS, StepKinds } from "@costgate/core";
import type { StepKind } from "@/gql/graphql";

export type { StepKind };
export const STEP_KINDS: readonly StepKind[] = StepKinds;

/** A select's options: one label for each value core allows (a new value fails to compile until labelled). */
function options<V extends string>(
  values: readonly V[],
  labels: Record<V, string>,
): { value: string; label: string }[] {
  return values.map((value) => ({ value, label: labels[value] }));
}

export type ParamDef =
  | {
      name: string;
      label: string;
      type: "select";
      options: { value: string; label: string }[];
      help: string;
      optional?: false;
    }
  | {
      name: string;
      label: string;
      type: "number";
      min?: number;
      max?: number;
      minExclusive?: boolean;
      maxExclusive?: boolean;
      integer?: boolean;
      step: string;
      help: string;
      optional?: boolean;
    }
  | { name: string; label: string; type: "boolean"; help: string; optional: true }
  | {
      /** Several of the options (checkboxes), in the order chosen; kept in the draft as "a,b". */
      name: string;
      label: string;
      type: "multiselect";
      options: { value: string; label: string }[];
      help: string;
      optional?: false;
    };

export const STEP_DEFS: Record<
  StepKind,
  { label: string; summary: string; params: ParamDef[]; defaults: Record<string, string> }
> = {
  PRUNE: {
    label: "Prune",
    summary:
      "Removes weights. Structured pruning drops whole units or filters, so the matrices get smaller and inference gets cheaper; magnitude pruning zeroes single weights, which shrinks nothing the dense kernels see.",
    params: [
      {
        name: "method",
        label: "Method",
        type: "select",
        options: options(STEP_PARAMS.PRUNE.method.values, {
          structured: "Structured (fewer units/filters)",
          magnitude: "Magnitude (zero small weights)",
        }),
        help: "Structured is the step that lowers latency and $/1M inferences.",
      },
      {
        name: "sparsity",
        label: "Sparsity",
        ...STEP_PARAMS.PRUNE.sparsity,
        step: "0.05",
        help: "Share of units (structured) or weights (magnitude) removed: more than 0, less than 1, e.g. 0.5.",
      },
    ],
    defaults: { method: "structured", sparsity: "0.5" },
  },
  FINE_TUNE: {
    label: "Fine-tune",
    summary: "Trains the model further with SGD on its TRAIN dataset, usually to win back accuracy lost by pruning.",
    params: [
      {
        name: "epochs",
        label: "Epochs",
        ...STEP_PARAMS.FINE_TUNE.epochs,
        step: "1",
        help: "Passes over the training data: a whole number from 1 to 100.",
      },
      {
        name: "learningRate",
        label: "Learning rate",
        ...STEP_PARAMS.FINE_TUNE.learningRate,
        step: "any",
        help: "SGD step size: more than 0, at most 10 (0.01 is a common start).",
      },
      {
        name: "batchSize",
        label: "Batch size",
        ...STEP_PARAMS.FINE_TUNE.batchSize,
        step: "1",
        help: "Samples per update: a whole number from 1 to 4096.",
      },
      {
        name: "momentum",
        label: "Momentum",
        ...STEP_PARAMS.FINE_TUNE.momentum,
        step: "0.05",
        help: "Optional: at least 0, less than 1 (e.g. 0.9). Leave empty for plain SGD.",
      },
    ],
    defaults: { epochs: "2", learningRate: "0.01", batchSize: "32", momentum: "" },
  },
  QUANTIZE: {
    label: "Quantize",
    summary:
      "Stores weights in fewer bits. Files shrink (uint8: 4×, uint16/float16: 2×) but they are decoded to float32 at load, so inference is not faster in TensorFlow.js.",
    params: [
      {
        name: "dtype",
        label: "Weight dtype",
        type: "select",
        options: options(STEP_PARAMS.QUANTIZE.dtype.values, {
          uint8: "uint8 (4× smaller)",
          uint16: "uint16 (2× smaller)",
          float16: "float16 (2× smaller)",
        }),
        help: "Storage type of the weights.",
      },
      {
        name: "accuracyAware",
        label: "Accuracy-aware",
        type: "boolean",
        help: "Keeps tensors that lose too much accuracy at 16 bits.",
        optional: true,
      },
    ],
    defaults: { dtype: "uint8", accuracyAware: "" },
  },
  DISTILL: {
    label: "Distill",
    summary:
      "Trains the previous step's output with SGD to give the same answers as the job's source version (its outputs softened by the temperature), on the inputs of the TRAIN dataset or, without one, the UNLABELED dataset. No labels are used.",
    params: [
      {
        name: "epochs",
        label: "Epochs",
        ...STEP_PARAMS.DISTILL.epochs,
        step: "1",
        help: "Passes over the inputs: a whole number from 1 to 100.",
      },
      {
        name: "learningRate",
        label: "Learning rate",
        ...STEP_PARAMS.DISTILL.learningRate,
        step: "any",
        help: "SGD step size: more than 0, at most 10 (0.05 is a common start).",
      },
      {
        name: "batchSize",
        label: "Batch size",
        ...STEP_PARAMS.DISTILL.batchSize,
        step: "1",
        help: "Inputs per update: a whole number from 1 to 4096.",
      },
      {
        name: "temperature",
        label: "Temperature",
        ...STEP_PARAMS.DISTILL.temperature,
        step: "any",
        help: "Optional: more than 0, at most 100 (default 1). Higher values soften the source's outputs, so the runners-up count too.",
      },
    ],
    defaults: { epochs: "3", learningRate: "0.05", batchSize: "32", temperature: "2" },
  },
  SEARCH: {
    label: "Search (autopilot)",
    summary:
      "Finds the cheapest version within the guardrail by itself, under a time budget: tries structured pruning levels (each recovered by training), then the best one's weights in each dtype. Every trial becomes a candidate. It must be the only step of its policy.",
    params: [
      {
        name: "timeBudgetMinutes",
        label: "Time budget (minutes)",
        ...STEP_PARAMS.SEARCH.timeBudgetMinutes,
        step: "any",
        help: "How long the search may run: more than 0, at most 1440 (a day). A trial that would overrun it is not started.",
      },
      {
        name: "maxTrials",
        label: "Max trials",
        ...STEP_PARAMS.SEARCH.maxTrials,
        step: "1",
        help: "Optional: a whole number from 1 to 200. Leave empty to let the time budget decide.",
      },
      {
        name: "recovery",
        label: "Recovery after pruning",
        type: "select",
        options: options(STEP_PARAMS.SEARCH.recovery.values, {
          auto: "Auto (fine-tune with a TRAIN dataset, else distill, else none)",
          fine_tune: "Fine-tune (TRAIN dataset)",
          distill: "Distill from the source (TRAIN or UNLABELED inputs)",
          none: "None",
        }),
        help: "How each pruned model wins back accuracy.",
      },
      {
        name: "dtypes",
        label: "Weight dtypes to try",
        type: "multiselect",
        options: options(STEP_PARAMS.SEARCH.dtypes.values, {
          uint8: "uint8 (4× smaller)",
          uint16: "uint16 (2× smaller)",
          float16: "float16 (2× smaller)",
        }),
        help: "Each is tried on the best candidate (accuracy-aware). Files shrink; inference is not faster in TensorFlow.js.",
      },
    ],
    defaults: {
      timeBudgetMinutes: "30",
      maxTrials: "",
      recovery: SEARCH_DEFAULTS.recovery,
      dtypes: SEARCH_DEFAULTS.dtypes.join(","),
    },
  },
};

export interface StepDraft {
  kind: StepKind;
  /** Raw form values by parameter name ("" = empty; booleans as "true"/""). */
  values: Record<string, string>;
}

export function newStep(kind: StepKind): StepDraft {
  return { kind, values: { ...STEP_DEFS[kind].defaults } };
}

/** The drafts of saved steps (`{ kind, params }` as the API answers them), to edit them in the step builder. */
export function draftsFromSteps(steps: readonly { kind: string; params: unknown }[]): StepDraft[] {
  return steps
    .filter((s): s is { kind: StepKind; params: unknown } => STEP_KINDS.includes(s.kind as StepKind))
    .map((s) => {
      const params = s.params && typeof s.params === "object" ? (s.params as Record<string, unknown>) : {};
      const values: Record<string, string> = {};
      for (const def of STEP_DEFS[s.kind].params) {
        const v = params[def.name];
        values[def.name] =
          def.type === "boolean"
            ? v === true
              ? "true"
              : ""
            : Array.isArray(v)
              ? v.join(",")
              : v === undefined || v === null
                ? ""
                : String(v);
      }
      return { kind: s.kind, values };
    });
}

/**
 * The form field an API error about steps belongs beside: `steps.<i>.params.<name>` is that
 * step's parameter field (`step.<i>.<name>`, the key buildSteps uses) when the step builder
 * shows it, any other `steps…` is the steps list; null when the field is not about steps.
 */
export function stepErrorField(apiField: string, drafts: readonly StepDraft[]): string | null {
  const param = /^steps\.(\d+)\.params\.(\w+)$/.exec(apiField);
  if (param) {
    const draft = drafts[Number(param[1])];
    if (draft && STEP_DEFS[draft.kind].params.some((p) => p.name === param[2] && p.type !== "boolean"))
      return `step.${param[1]}.${param[2]}`;
  }
  return apiField === "steps" || apiField.startsWith("steps.") ? "steps" : null;
}

export type StepErrors = Record<string, string>;

/** Turns the drafts into API params; errors are keyed "<index>.<param>". */
export function buildSteps(drafts: readonly StepDraft[]): {
  steps: { kind: StepKind; params: Record<string, unknown> }[];
  errors: StepErrors;
} {
  const errors: StepErrors = {};
  const steps = drafts.map((draft, i) => {
    const params: Record<string, unknown> = {};
    for (const def of STEP_DEFS[draft.kind].params) {
      const raw = (draft.values[def.name] ?? "").trim();
      const key = `${i}.${def.name}`;
      if (def.type === "boolean") {
        if (raw === "true") params[def.name] = true;
        continue;
      }
      if (def.type === "select") {
        if (!def.options.some((o) => o.value === raw)) errors[key] = `Choose a ${def.label.toLowerCase()}`;
        else params[def.name] = raw;
        continue;
      }
      if (def.type === "multiselect") {
        const chosen = raw.split(",").filter((v) => def.options.some((o) => o.value === v));
        if (chosen.length === 0) errors[key] = `Choose at least one of the ${def.label.toLowerCase()}`;
        else params[def.name] = chosen;
        continue;
      }
      if (raw === "") {
        if (!def.optional) errors[key] = `${def.label} is required`;
        continue;
      }
      const n = Number(raw);
      const problem = numberProblem(def, n);
      if (problem) errors[key] = `${def.label} ${problem}`;
      else params[def.name] = n;
    }
    return { kind: draft.kind, params };
  });
  return { steps, errors };
}

function numberProblem(def: Extract<ParamDef, { type: "number" }>, n: number): string | null {
  if (!Number.isFinite(n)) return "must be a number";
  if (def.integer && !Number.isInteger(n)) return "must be a whole number";
  if (def.min !== undefined && (def.minExclusive ? n <= def.min : n < def.min))
    return `must be ${def.minExclusive ? "more than" : "at least"} ${def.min}`;
  if (def.max !== undefined && (def.maxExclusive ? n >= def.max : n > def.max))
    return `must be ${def.maxExclusive ? "less than" : "at most"} ${def.max}`;
  return null;
}

/** "structured, sparsity 0.5" — one line describing a step's params. */
export function describeParams(kind: string, params: unknown): string {
  if (!params || typeof params !== "object") return "";
  const p = params as Record<string, unknown>;
  const defs = STEP_DEFS[kind as StepKind]?.params ?? [];
  const parts: string[] = [];
  for (const def of defs) {
    const v = p[def.name];
    if (v === undefined || v === null || v === false) continue;
    parts.push(
      def.type === "boolean"
        ? def.label.toLowerCase()
        : def.type === "select"
          ? String(v)
          : Array.isArray(v)
            ? `${def.label.toLowerCase()} ${v.join(", ")}`
            : `${def.label.toLowerCase()} ${String(v)}`,
    );
  }
  for (const [k, v] of Object.entries(p)) if (!defs.some((d) => d.name === k)) parts.push(`${k} ${JSON.stringify(v)}`);
  return parts.join(", ");
}
