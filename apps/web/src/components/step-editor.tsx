"use client";
// One step of the policy step builder: its kind, its parameters with their valid ranges, and
// the buttons that move or remove it. Errors are keyed "step.<index>.<param>".
import { CheckField, SelectField, TextField } from "@/components/form";
import { STEP_DEFS, STEP_KINDS, type StepDraft, type StepKind } from "@/lib/steps";

export function StepEditor({
  index,
  count,
  step,
  errors,
  onKind,
  onValue,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  step: StepDraft;
  errors: Record<string, string>;
  onKind: (kind: StepKind) => void;
  onValue: (name: string, value: string) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const def = STEP_DEFS[step.kind];
  const n = index + 1;
  const id = (name: string) => `step-${index}-${name}`;
  return (
    <fieldset>
      <legend>
        Step {n}: {def.label}
      </legend>
      <SelectField
        id={id("kind")}
        label="Kind"
        value={step.kind}
        onChange={(e) => onKind(e.target.value as StepKind)}
        options={STEP_KINDS.map((k) => ({ value: k, label: STEP_DEFS[k].label }))}
        hint={def.summary}
      />
      {def.params.map((p) => {
        const error = errors[`step.${index}.${p.name}`];
        const value = step.values[p.name] ?? "";
        if (p.type === "select") {
          return (
            <SelectField
              key={p.name}
              id={id(p.name)}
              label={p.label}
              value={value}
              onChange={(e) => onValue(p.name, e.target.value)}
              options={p.options}
              hint={p.help}
              error={error}
            />
          );
        }
        if (p.type === "multiselect") {
          const chosen = value.split(",").filter(Boolean);
          // In the order chosen: the search tries the dtypes in this order.
          const toggle = (v: string, on: boolean) =>
            onValue(p.name, (on ? [...chosen.filter((c) => c !== v), v] : chosen.filter((c) => c !== v)).join(","));
          return (
            <fieldset key={p.name} className="field" aria-describedby={`${id(p.name)}-hint`}>
              <legend>{p.label}</legend>
              {p.options.map((o) => (
                <CheckField
                  key={o.value}
                  id={id(`${p.name}-${o.value}`)}
                  label={o.label}
                  checked={chosen.includes(o.value)}
                  onChange={(e) => toggle(o.value, e.target.checked)}
                />
              ))}
              <p className="hint" id={`${id(p.name)}-hint`}>
                {p.help}
              </p>
              {error ? (
                <p className="error" role="alert">
                  {error}
                </p>
              ) : null}
            </fieldset>
          );
        }
        if (p.type === "boolean") {
          return (
            <CheckField
              key={p.name}
              id={id(p.name)}
              label={p.label}
              checked={value === "true"}
              onChange={(e) => onValue(p.name, e.target.checked ? "true" : "")}
              hint={p.help}
            />
          );
        }
        return (
          <TextField
            key={p.name}
            id={id(p.name)}
            label={p.optional ? `${p.label} (optional)` : p.label}
            type="number"
            inputMode="decimal"
            step={p.step}
            min={p.min}
            max={p.max}
            value={value}
            onChange={(e) => onValue(p.name, e.target.value)}
            hint={p.help}
            error={error}
          />
        );
      })}
      <div className="step-tools">
        <button
          type="button"
          className="button small"
          onClick={() => onMove(-1)}
          disabled={index === 0}
          aria-label={`Move step ${n} up`}
        >
          ↑ Up
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => onMove(1)}
          disabled={index === count - 1}
          aria-label={`Move step ${n} down`}
        >
          ↓ Down
        </button>
        <button type="button" className="button small" onClick={onRemove} aria-label={`Remove step ${n}`}>
          Remove
        </button>
      </div>
    </fieldset>
  );
}
