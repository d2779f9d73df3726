import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AutoRefresh } from "@/components/auto-refresh";
import { ComparisonNote, CostFigure, type ComparisonFacts } from "@/components/cost";
import { Badge, Card, EmptyState, PageHeader, Phrases, ProgressBar, StatusBadge, Table } from "@/components/ui";
import { query } from "@/lib/api";
import {
  describeJobTiming,
  formatBytes,
  formatDateTime,
  formatMetric,
  formatMs,
  formatPercent,
  formatPerMillion,
  humanize,
  metricLabel,
} from "@/lib/format";
import { JobQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { describeRecipe } from "@/lib/recipe";
import { getMe } from "@/lib/session";
import { describeParams } from "@/lib/steps";
import { CancelJobButton } from "./cancel-button";
import type { SearchReport } from "@costgate/core";
import { SearchPanel } from "./search-panel";

export const metadata: Metadata = { title: "Job" };

interface StepResult {
  stepIndex?: number;
  kind?: string;
  versionId?: string;
  number?: number;
  metric?: number | null;
  costPerMillionUsd?: string;
  withinGuardrail?: boolean;
  reason?: string;
  savingVsInput?: { relative: number; measured: boolean } | null;
  savingVsSource?: { relative: number; measured: boolean } | null;
  /** the paired measurement against the step's input the job decided on (null: measured before paired measurements) */
  vsInput?: { throughputRatio: number; low: number; high: number; significant: boolean } | null;
  note?: string;
}

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [me, { optimizationJob: job }] = await Promise.all([getMe(), query(JobQuery, { id })]);
  if (!job) notFound();
  const live = job.status === "QUEUED" || job.status === "RUNNING";
  const result = (job.result && typeof job.result === "object" ? job.result : {}) as {
    steps?: StepResult[];
    metric?: string;
    metricNote?: string;
    maxAccuracyDrop?: number;
    bestSavesCost?: boolean;
    source?: { costPerMillionUsd?: string; metric?: number };
    search?: SearchReport;
  };
  // Its place in line and its wait, then its wait apart from its running time (the API's queuePosition).
  const timing = describeJobTiming(job);
  const isSearch = job.steps[0]?.kind === "SEARCH";
  const byVersion = new Map((result.steps ?? []).map((s) => [s.versionId, s]));
  const metric = result.metric ?? job.sourceVersion.evaluation?.metric ?? "accuracy";
  // Candidates within the guardrail, none of which saves measurable cost against the source.
  const noMeasurableSaving = !job.bestVersion && (result.steps ?? []).some((s) => s.withinGuardrail);

  return (
    <>
      <AutoRefresh active={live} intervalMs={1500} />
      <PageHeader
        title={`${job.policy.name} on ${job.model.name} v${job.sourceVersion.number}`}
        breadcrumb={{ href: "/jobs", label: "Jobs" }}
        lead={`Job ${job.id} · triggered by ${job.triggeredBy} · created ${formatDateTime(job.createdAt)}`}
        actions={
          live && can(me.role, "cancelJobs") ? <CancelJobButton jobId={job.id} requested={job.cancelRequested} /> : null
        }
      />
      <Card title="Progress" id="progress">
        <div className="row" style={{ marginBottom: "0.6rem" }}>
          <StatusBadge value={job.status} />
          <span aria-live="polite">{job.stage ?? (job.status === "QUEUED" ? "Waiting for a worker" : "")}</span>
          {job.cancelRequested && live ? <Badge tone="warn">Cancellation requested</Badge> : null}
        </div>
        <ProgressBar value={job.progress} label="Job progress" />
        <p className="small muted" style={{ marginTop: "0.4rem" }}>
          {formatPercent(job.progress, 0)} done
          {timing ? (
            <>
              {" · "}
              <Phrases text={timing} />
            </>
          ) : null}
          {job.attempts > 1 ? ` · attempt ${job.attempts}` : ""}
          {live ? " · updates every 1.5 s" : ""}
        </p>
        {job.error ? (
          <div className="alert error" role="alert">
            {job.error}
          </div>
        ) : null}
        <dl className="stats">
          <div>
            <dt>Source</dt>
            <dd>
              <Link href={`/models/${job.model.id}`}>v{job.sourceVersion.number}</Link>
            </dd>
          </div>
          <div>
            <dt>Source {metric}</dt>
            <dd title={result.metricNote}>
              {formatMetric(
                metric,
                metric === "agreement" ? (result.source?.metric ?? 1) : job.sourceVersion.evaluation?.value,
              )}
            </dd>
          </div>
          <div>
            <dt>Source $/1M</dt>
            <dd>
              <CostFigure cost={job.sourceVersion.cost} />
              <WhenTheJobRan now={job.sourceVersion.cost?.costPerMillionUsd} then={result.source?.costPerMillionUsd} />
            </dd>
          </div>
          <div>
            <dt>Guardrail</dt>
            <dd>
              max drop {job.policy.maxAccuracyDrop}
              {metric === "agreement" ? " of agreement with the source (no EVALUATION dataset)" : ""}
            </dd>
          </div>
          <div>
            <dt>Best version</dt>
            <dd>
              {job.bestVersion
                ? `v${job.bestVersion.number}`
                : job.bestEffortVersion
                  ? `none within the guardrail; best effort v${job.bestEffortVersion.number}`
                  : job.status === "SUCCEEDED"
                    ? noMeasurableSaving
                      ? "none: no measurable saving"
                      : "none qualified"
                    : "—"}
            </dd>
          </div>
        </dl>
      </Card>

      {isSearch ? (
        <SearchPanel
          candidates={job.candidates}
          frontierIds={job.frontier.map((v) => v.id)}
          bestId={job.bestVersion?.id ?? null}
          bestEffortId={job.bestEffortVersion?.id ?? null}
          source={
            job.sourceVersion.evaluation && job.sourceVersion.cost
              ? {
                  id: job.sourceVersion.id,
                  number: job.sourceVersion.number,
                  cost: Number(job.sourceVersion.cost.costPerMillionUsd),
                  metric: metric === "agreement" ? 1 : job.sourceVersion.evaluation.value,
                }
              : null
          }
          metric={metric}
          search={result.search}
          live={live}
          modelId={job.model.id}
          canPromote={can(me.role, "promote")}
          isAdmin={me.role === "ADMIN"}
        />
      ) : null}

      <Card title="Candidates" id="candidates">
        {job.candidates.length === 0 ? (
          <EmptyState title={live ? "No candidate yet" : "No candidates"}>
            <p>
              Steps: {job.steps.map((s) => `${humanize(s.kind)} (${describeParams(s.kind, s.params)})`).join(" → ")}
            </p>
          </EmptyState>
        ) : (
          <Table
            cardOnMobile
            label="Candidates"
            className="compact"
            caption={
              <>
                $/1M ± is each measurement&apos;s own 95% interval. Whether a step saves is decided by “vs its input”:
                the candidate and its input measured alternately in one session, so the machine&apos;s load affects both
                alike. “No measurable saving” means the 95% interval of that ratio includes 1×.
              </>
            }
            columns={[
              { label: "Step" },
              { label: "Version" },
              { label: "Recipe" },
              { label: "Status" },
              { label: metricLabel(metric), className: "num" },
              { label: "$/1M", className: "num" },
              { label: "vs its input" },
              { label: "p50", className: "num" },
              { label: "Size", className: "num" },
              { label: "Verdict" },
            ]}
          >
            {job.candidates.map((c, i) => {
              const r = byVersion.get(c.id);
              const best = job.bestVersion?.id === c.id;
              return (
                <tr key={c.id}>
                  <td>
                    {i + 1}. {humanize(c.source)}
                  </td>
                  <td>
                    <Link href={`/models/${job.model.id}#version-${c.number}`}>v{c.number}</Link>
                  </td>
                  <td className="recipe-cell">
                    <span className="recipe" style={{ color: "inherit" }}>
                      {describeRecipe(c.source, c.recipe)}
                    </span>
                  </td>
                  <td>
                    <StatusBadge value={c.status} />
                  </td>
                  <td className="num">{formatMetric(metric, c.evaluation?.value ?? r?.metric ?? null)}</td>
                  <td className="num">
                    <CostFigure cost={c.cost} />
                    <WhenTheJobRan now={c.cost?.costPerMillionUsd} then={r?.costPerMillionUsd} />
                  </td>
                  <td>
                    <VsInput
                      comparison={inputComparison(r, c.comparedToParent)}
                      step={r}
                      pending={c.status === "PENDING"}
                      inputLabel={i === 0 ? `v${job.sourceVersion.number}` : undefined}
                    />
                  </td>
                  <td className="num">{formatMs(c.cost?.latencyP50Ms)}</td>
                  <td className="num">{formatBytes(c.cost?.modelSizeBytes)}</td>
                  <td>
                    <Verdict r={r} best={best} status={c.status} stage={c.stage} statusMessage={c.statusMessage} />
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </Card>
    </>
  );
}

/**
 * The pages show the latest measurement; when the version was measured again after the job, the
 * number the job decided on is shown under it ("$0.000287 when the job ran").
 */
function WhenTheJobRan({ now, then }: { now: string | null | undefined; then: string | null | undefined }) {
  if (!now || !then || !Number.isFinite(Number(then)) || Number(now) === Number(then)) return null;
  return <span className="recipe cost-caption">{formatPerMillion(then)} when the job ran (measured again since)</span>;
}

/**
 * The paired measurement against the step's input: what the job decided on (result.steps[i].vsInput),
 * else (while the job runs, or for a job ended before paired measurements) the version's own.
 */
function inputComparison(r: StepResult | undefined, own: ComparisonFacts | null | undefined): ComparisonFacts | null {
  if (!r?.vsInput) return own ?? null;
  // The version's own comparison names the hardware and the rounds; borrow them only when it is
  // the same measurement (a re-measure since the job may have replaced it).
  const same =
    own &&
    [own.throughputRatio - r.vsInput.throughputRatio, own.low - r.vsInput.low, own.high - r.vsInput.high].every(
      (d) => Math.abs(d) < 5e-4,
    );
  return {
    ...r.vsInput,
    parent: own?.parent ?? null,
    hardwareProfile: same ? own.hardwareProfile : null,
    rounds: same ? own.rounds : null,
  };
}

function VsInput({
  comparison,
  step,
  pending,
  inputLabel,
}: {
  comparison: ComparisonFacts | null;
  step: StepResult | undefined;
  pending: boolean;
  inputLabel?: string;
}) {
  if (comparison)
    return (
      <ComparisonNote
        comparison={comparison}
        against={comparison.parent ? undefined : inputLabel ? `vs ${inputLabel}` : undefined}
      />
    );
  // Measured before paired measurements: the job compared the two numbers with their spread.
  const unpaired = step?.savingVsInput;
  if (unpaired)
    return (
      <span className="comparison">
        {unpaired.measured ? (
          <Badge tone="ok">{formatPercent(unpaired.relative)} lower $/1M</Badge>
        ) : (
          <Badge>No measurable saving</Badge>
        )}
        <span className="recipe">not paired: two separate measurements compared</span>
      </span>
    );
  return (
    <span className="small muted">
      {pending ? "Being measured" : "Not paired: measured before paired measurements"}
    </span>
  );
}

function saving(s: { relative: number; measured: boolean } | null | undefined, against: string): string | null {
  if (!s) return null;
  if (!s.measured) return `no measurable saving against ${against}`;
  return `${formatPercent(s.relative)} cheaper than ${against}`;
}

function Verdict({
  r,
  best,
  status,
  stage,
  statusMessage,
}: {
  r: StepResult | undefined;
  best: boolean;
  status: string;
  stage: string;
  statusMessage: string | null | undefined;
}) {
  if (!r) {
    if (status === "PENDING") return <span className="muted">Being evaluated and measured</span>;
    if (stage === "REJECTED") return <span>{statusMessage ?? "Rejected"}</span>;
    return <span className="muted">Decided when the job ends</span>;
  }
  // The saving against the step's input is in the "vs its input" column; here, against the source.
  const notes = [saving(r.savingVsSource, "the source")].filter(Boolean).join("; ");
  return (
    <div>
      {best ? (
        <Badge tone="ok">Best: accepted</Badge>
      ) : !r.withinGuardrail ? (
        <Badge tone="bad">Rejected</Badge>
      ) : r.savingVsSource && !r.savingVsSource.measured ? (
        <Badge>Not picked</Badge>
      ) : (
        <Badge tone="info">Accepted (within guardrail)</Badge>
      )}
      <span className="recipe">
        {!best && r.withinGuardrail && r.savingVsSource && !r.savingVsSource.measured ? "within the guardrail · " : ""}
        {r.reason ?? ""}
        {notes ? `${r.reason ? " · " : ""}${notes}` : ""}
      </span>
    </div>
  );
}
