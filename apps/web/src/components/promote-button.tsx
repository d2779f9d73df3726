"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Dialog } from "@/components/dialog";
import { previewPromotionAction, promoteAction, requestOverrideAction, type PreviewResult } from "@/lib/actions/models";
import type { ActionState } from "@/lib/form-state";
import { formatMoney, formatMoneyDeltaPrecise, formatMoneyPrecise } from "@/lib/format";
import { describeGateRefusal } from "@/lib/gate-wording";

export interface PromoteCostLine {
  /** "$0.000114 ±2.1%" */
  cost: string;
  /** "c7i.large ($0.08925/h), wasm, batch 32" */
  measured: string;
  /** "Against v1: No measurable saving (0.97–1.04×)." */
  comparison: string | null;
  noSaving: boolean;
}

export function PromoteButton({
  modelId,
  versionId,
  number,
  isAdmin,
  costLine,
  label = "Promote",
  initialStage = "PRODUCTION",
  warning,
  dialogTitle,
}: {
  modelId: string;
  versionId: string;
  number: number;
  isAdmin: boolean;
  costLine?: PromoteCostLine | null;
  /** The button's text: "Promote", "Archive", "Roll back to v1". */
  label?: string;
  /** The stage the dialog starts on. */
  initialStage?: string;
  /** Shown at the top of the dialog, e.g. that the accuracy guardrail rejected this version. */
  warning?: string | null;
  dialogTitle?: string;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [stage, setStage] = useState(initialStage);
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<ActionState | null>(null);
  const [request, setRequest] = useState<ActionState | null>(null);
  const [loading, startLoading] = useTransition();
  const [promoting, startPromoting] = useTransition();
  const [requesting, startRequesting] = useTransition();

  const openDialog = () => {
    setOpen(true);
    setResult(null);
    setRequest(null);
    setPreview(null);
    startLoading(async () => setPreview(await previewPromotionAction(versionId)));
  };
  const close = () => setOpen(false);
  const confirm = () =>
    startPromoting(async () => {
      const r = await promoteAction(modelId, versionId, stage, isAdmin ? reason.trim() : "");
      setResult(r);
      if (r.ok) {
        setOpen(false);
        router.refresh();
      }
    });

  const askOverride = () =>
    startRequesting(async () => setRequest(await requestOverrideAction(modelId, versionId, reason)));

  const blocked = result?.code === "COST_GATE_BLOCKED";
  const p = preview?.ok ? preview.preview : null;
  // The gate will refuse (the preview says so) or just did: nobody but an admin can promote now.
  const refuses = stage === "PRODUCTION" && (blocked || !!p?.gateRefuses);
  const showOverride = isAdmin && refuses;
  const showRequest = !isAdmin && refuses && !request?.ok;
  const refusal = blocked
    ? describeGateRefusal(result?.data ?? {}, number)
    : p?.gateRefuses
      ? describeGateRefusal(
          {
            trafficRequests: p.trafficRequests,
            currentMonthlyUsd: p.currentMonthlyUsd,
            projectedMonthlyUsd: p.projectedMonthlyUsd,
            deltaMonthlyUsd: p.deltaMonthlyUsd,
            remainingUsd: p.remainingUsd,
            budgetName: p.budget?.name,
          },
          number,
        )
      : null;
  const primaryLabel = promoting
    ? stage === "ARCHIVED"
      ? "Archiving…"
      : "Promoting…"
    : stage === "ARCHIVED"
      ? "Archive"
      : refuses && !isAdmin
        ? "Blocked by the budget"
        : showOverride
          ? "Override and promote"
          : "Promote";

  return (
    <>
      <button type="button" className="button small" onClick={openDialog} aria-haspopup="dialog">
        {label}
      </button>
      <Dialog open={open} onClose={close} title={dialogTitle ?? `Promote version ${number}`}>
        {warning ? (
          <p className="alert warning" role="note">
            {warning}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor={`stage-${versionId}`}>Stage</label>
          <select id={`stage-${versionId}`} value={stage} onChange={(e) => setStage(e.target.value)}>
            <option value="PRODUCTION">Production</option>
            <option value="STAGING">Staging</option>
            <option value="CANDIDATE">Candidate</option>
            <option value="ARCHIVED">Archived</option>
          </select>
        </div>
        {stage === "PRODUCTION" ? (
          <div aria-busy={loading} aria-live="polite">
            {loading || !preview ? (
              <p className="muted">Projecting the monthly cost…</p>
            ) : preview.ok && p ? (
              <>
                {noTraffic(p) ? (
                  <p style={{ margin: "0 0 0.5rem" }}>
                    <strong>No traffic yet:</strong> no usage of this model was recorded in the last 30 days, so there
                    is no monthly cost to project. Once internal tools report requests, this dialog shows what serving
                    them with version {number} would cost.
                  </p>
                ) : (
                  <p style={{ margin: "0 0 0.5rem" }}>
                    At the model&apos;s traffic of the last 30 days, serving it with version {number}:
                  </p>
                )}
                <dl className="stats" hidden={noTraffic(p)}>
                  <div>
                    <dt>Now, per month</dt>
                    <dd>{formatMoneyPrecise(p.currentMonthlyUsd)}</dd>
                  </div>
                  <div>
                    <dt>With v{number}</dt>
                    <dd>{formatMoneyPrecise(p.projectedMonthlyUsd)}</dd>
                  </div>
                  <div>
                    <dt>Change</dt>
                    <dd>{formatMoneyDeltaPrecise(p.deltaMonthlyUsd)}</dd>
                  </div>
                </dl>
                {costLine ? (
                  <p className="small" style={{ marginTop: "0.6rem" }}>
                    v{number} costs {costLine.cost} per 1M inferences, measured on {costLine.measured}.{" "}
                    {costLine.comparison}
                    {costLine.noSaving
                      ? " Any difference from its parent's $/1M is measurement noise, not a saving."
                      : ""}
                  </p>
                ) : null}
                <p className="small" style={{ marginTop: "0.6rem" }}>
                  {p.budget
                    ? `Budget “${p.budget.name}”: ${formatMoney(p.budget.spentUsd)} of ${formatMoney(p.budget.amountUsd)} spent this period. `
                    : "No budget covers this model. "}
                  {p.gateRefuses
                    ? ""
                    : p.withinBudget
                      ? "Within budget."
                      : "Over what the budget has left, but it only notifies: the promotion goes through and raises alerts."}
                </p>
              </>
            ) : (
              <p className="alert error" role="alert">
                Could not project the cost: {preview.ok ? "" : preview.message}
              </p>
            )}
          </div>
        ) : (
          <p className="muted">Only promotions to production go through the cost gate.</p>
        )}
        {refusal ? (
          <div className="alert error" role="alert">
            <strong>The cost gate will refuse this promotion</strong>
            <p style={{ margin: "0.3rem 0 0" }}>{refusal}</p>
            <p className="small" style={{ margin: "0.3rem 0 0" }}>
              {isAdmin
                ? "As an admin you can promote it anyway: say why below; the reason is kept in the audit log."
                : "Only an admin can let it through: request an override and the team's admins and finance are alerted, with these numbers."}
            </p>
          </div>
        ) : null}
        {result && !result.ok && !blocked ? (
          <div className="alert error" role="alert">
            <strong>Not promoted</strong>
            <p style={{ margin: "0.3rem 0 0" }}>{result.message}</p>
          </div>
        ) : null}
        {showRequest ? (
          <div className="field">
            <label htmlFor={`request-${versionId}`}>Why it should go to production anyway</label>
            <textarea
              id={`request-${versionId}`}
              rows={2}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={request?.fieldErrors?.reason ? true : undefined}
              aria-describedby={`request-${versionId}-hint`}
            />
            <p className="hint" id={`request-${versionId}-hint`}>
              {request?.fieldErrors?.reason ?? "Sent with the request to the team's admins and finance."}
            </p>
            {request && !request.ok && !request.fieldErrors ? (
              <p className="error" role="alert">
                {request.message}
              </p>
            ) : null}
            <div>
              <button type="button" className="button" onClick={askOverride} disabled={requesting}>
                {requesting ? "Requesting…" : "Request an override"}
              </button>
            </div>
          </div>
        ) : null}
        {request?.ok ? (
          <p className="alert success" role="status">
            {request.message}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="button primary"
            onClick={confirm}
            disabled={promoting || (stage === "PRODUCTION" && loading) || (refuses && (!isAdmin || !reason.trim()))}
          >
            {primaryLabel}
          </button>
        </div>
      </Dialog>
    </>
  );
}

/** A projection over no requests: nothing now and nothing projected (the amounts are Decimal strings). */
function noTraffic(p: { currentMonthlyUsd: string; projectedMonthlyUsd: string }): boolean {
  const zero = (amount: string) => /^0*(\.0*)?$/.test(amount.trim());
  return zero(p.currentMonthlyUsd) && zero(p.projectedMonthlyUsd);
}
