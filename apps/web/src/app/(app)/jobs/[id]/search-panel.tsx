// The SEARCH part of a job's page: the frontier chart, the frontier with a Promote button on each
// point (the model page's promotion dialog and cost gate), and the trials as the worker records
// them in the job's result (result.search). Redrawn on every refresh while the job runs.
import Link from "next/link";
import type { SearchReport } from "@costgate/core";
import { Badge, Card, Table } from "@/components/ui";
import { CostFigure, type CostFacts } from "@/components/cost";
import { PromoteButton } from "@/components/promote-button";
import { formatMetric, formatPercent, metricLabel } from "@/lib/format";
import { FrontierChart, type ChartPoint } from "./frontier-chart";

interface Candidate {
  id: string;
  number: number;
  source: string;
  stage: string;
  status: string;
  recipe?: unknown;
  evaluation?: { value: number } | null;
  cost?: CostFacts | null;
}

const searchOf = (recipe: unknown) =>
  (recipe as { search?: { sparsity?: number; recovery?: string; dtype?: string | null } } | null)?.search ?? {};

function what(c: Candidate): string {
  const s = searchOf(c.recipe);
  const parts = [s.sparsity ? `${formatPercent(s.sparsity, 1)} of units pruned` : "not pruned"];
  if (s.sparsity && s.recovery && s.recovery !== "none")
    parts.push(s.recovery === "fine_tune" ? "fine-tuned" : "distilled");
  if (c.source === "PRUNE") parts.push("not yet recovered");
  if (s.dtype) parts.push(`${s.dtype} weights`);
  return parts.join(", ");
}

export function SearchPanel({
  candidates,
  frontierIds,
  bestId,
  bestEffortId,
  source,
  metric,
  search,
  live,
  modelId,
  canPromote,
  isAdmin,
}: {
  candidates: Candidate[];
  frontierIds: string[];
  bestId: string | null;
  bestEffortId: string | null;
  source: ChartPoint | null;
  metric: string;
  search: SearchReport | undefined;
  live: boolean;
  modelId: string;
  canPromote: boolean;
  isAdmin: boolean;
}) {
  const points: ChartPoint[] = candidates
    .filter((c) => c.evaluation && c.cost)
    .map((c) => ({
      id: c.id,
      number: c.number,
      cost: Number(c.cost!.costPerMillionUsd),
      uncertainty: c.cost!.uncertainty ?? null,
      metric: c.evaluation!.value,
      stage: c.stage,
    }));
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const frontier = frontierIds.map((id) => byId.get(id)).filter((c): c is Candidate => c !== undefined);
  const trials = search?.trialList ?? [];

  return (
    <>
      <Card title="Search frontier" id="frontier">
        {points.length === 0 ? (
          <p className="muted">
            {live
              ? "The first trial is running: its candidates appear here when measured."
              : "No candidate was measured."}
          </p>
        ) : (
          <FrontierChart
            points={points}
            frontierIds={frontierIds}
            bestId={bestId}
            bestEffortId={bestEffortId}
            source={source}
            metric={metric}
          />
        )}
        {frontier.length ? (
          <Table
            cardOnMobile
            label="Frontier"
            className="compact"
            caption={<>The frontier, cheapest first: promote any of them through the cost gate.</>}
            columns={[
              { label: "Version" },
              { label: "What it is" },
              { label: metricLabel(metric), className: "num" },
              { label: "$/1M", className: "num" },
              { label: "Promote" },
            ]}
          >
            {frontier.map((c) => (
              <tr key={c.id}>
                <td>
                  v{c.number}{" "}
                  {c.id === bestId ? (
                    <Badge tone="ok">Best</Badge>
                  ) : c.id === bestEffortId ? (
                    <Badge tone="warn">Best effort</Badge>
                  ) : null}
                </td>
                <td>{what(c)}</td>
                <td className="num">{formatMetric(metric, c.evaluation?.value ?? null)}</td>
                <td className="num">
                  <CostFigure cost={c.cost ?? null} />
                </td>
                <td>
                  {c.stage === "PRODUCTION" ? (
                    <Badge tone="ok">In production</Badge>
                  ) : canPromote && c.status === "READY" ? (
                    <PromoteButton modelId={modelId} versionId={c.id} number={c.number} isAdmin={isAdmin} />
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        ) : null}
      </Card>

      <Card title="Trials" id="trials">
        <p className="small muted" style={{ marginTop: 0 }}>
          {search
            ? `${search.trials ?? trials.length} of ≤ ${search.trialLimit ?? "?"} trial(s) in a ${search.timeBudgetMinutes ?? "?"}-minute budget · recovery ${search.recovery ?? "?"} · dtypes ${(search.dtypes ?? []).join(", ")}`
            : live
              ? "No trial finished yet."
              : "No trial was recorded."}
          {search?.stoppedBecause && search.stoppedBecause !== "running" ? ` · ${search.stoppedBecause}` : ""}
        </p>
        {trials.length || search?.skipped?.length ? (
          <Table
            cardOnMobile
            label="Trials"
            className="compact"
            columns={[
              { label: "Trial", className: "num" },
              { label: "Sparsity" },
              { label: "Recovery" },
              { label: "Dtype" },
              { label: "Versions" },
              { label: "Guardrail" },
              { label: "Saves vs its input" },
            ]}
          >
            {trials.map((t) => (
              <tr key={t.trial}>
                <td className="num">{t.trial}</td>
                <td>{t.sparsity ? formatPercent(t.sparsity, 1) : "—"}</td>
                <td>{t.recovery}</td>
                <td>{t.dtype ?? "float32"}</td>
                <td>
                  {t.versionIds.map((id, i) => (
                    <span key={id}>
                      {i ? " → " : ""}
                      <Link href={`#candidates`}>v{byId.get(id)?.number ?? "?"}</Link>
                    </span>
                  ))}
                </td>
                <td>{t.withinGuardrail ? <Badge tone="ok">Within</Badge> : <Badge tone="bad">Missed</Badge>}</td>
                <td>
                  {t.savesVsInput ? <Badge tone="ok">Measurable saving</Badge> : <Badge>No measurable saving</Badge>}
                </td>
              </tr>
            ))}
            {(search?.skipped ?? []).map((s) => (
              <tr key={`skip-${s.sparsity}`}>
                <td className="num">—</td>
                <td>{formatPercent(s.sparsity, 1)}</td>
                <td colSpan={5} className="small">
                  Skipped: {s.reason}
                </td>
              </tr>
            ))}
          </Table>
        ) : null}
      </Card>
    </>
  );
}
