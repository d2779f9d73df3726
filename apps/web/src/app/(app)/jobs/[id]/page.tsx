import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AutoRefresh } from "@/components/auto-refresh";
import { Badge, Card, EmptyState, PageHeader, ProgressBar, StatusBadge, TableWrap } from "@/components/ui";
import { query } from "@/lib/api";
import { formatBytes, formatDateTime, formatDuration, formatMetric, formatMs, formatPercent, formatPerMillion, humanize } from "@/lib/format";
import { JobQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { describeRecipe } from "@/lib/recipe";
import { getMe } from "@/lib/session";
import { describeParams } from "@/lib/steps";
import { CancelJobButton } from "./cancel-button";

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
  note?: string;
}

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [me, { optimizationJob: job }] = await Promise.all([getMe(), query(JobQuery, { id })]);
  if (!job) notFound();
  const live = job.status === "QUEUED" || job.status === "RUNNING";
  const result = (job.result && typeof job.result === "object" ? job.result : {}) as { steps?: StepResult[]; metric?: string; maxAccuracyDrop?: number; bestSavesCost?: boolean };
  const byVersion = new Map((result.steps ?? []).map((s) => [s.versionId, s]));
  const metric = result.metric ?? job.sourceVersion.evaluation?.metric ?? "accuracy";
  const started = job.startedAt ? Date.parse(job.startedAt) : null;
  const ended = job.finishedAt ? Date.parse(job.finishedAt) : null;

  return (
    <>
      <AutoRefresh active={live} intervalMs={1500} />
      <PageHeader
        title={`${job.policy.name} on ${job.model.name} v${job.sourceVersion.number}`}
        breadcrumb={{ href: "/jobs", label: "Jobs" }}
        lead={`Job ${job.id} · triggered by ${job.triggeredBy} · created ${formatDateTime(job.createdAt)}`}
        actions={live && can(me.role, "cancelJobs") ? <CancelJobButton jobId={job.id} requested={job.cancelRequested} /> : null}
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
          {started ? ` · running time ${formatDuration((ended ?? Date.now()) - started)}` : ""}
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
            <dd>{formatMetric(metric, job.sourceVersion.evaluation?.value)}</dd>
          </div>
          <div>
            <dt>Source $/1M</dt>
            <dd>{formatPerMillion(job.sourceVersion.cost?.costPerMillionUsd)}</dd>
          </div>
          <div>
            <dt>Guardrail</dt>
            <dd>max drop {job.policy.maxAccuracyDrop}</dd>
          </div>
          <div>
            <dt>Best version</dt>
            <dd>{job.bestVersion ? `v${job.bestVersion.number}` : job.status === "SUCCEEDED" ? "none qualified" : "—"}</dd>
          </div>
        </dl>
      </Card>

      <Card title="Candidates" id="candidates">
        {job.candidates.length === 0 ? (
          <EmptyState title={live ? "No candidate yet" : "No candidates"}>
            <p>
              Steps: {job.steps.map((s) => `${humanize(s.kind)} (${describeParams(s.kind, s.params)})`).join(" → ")}
            </p>
          </EmptyState>
        ) : (
          <TableWrap label="Candidates">
            <table>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Version</th>
                  <th scope="col">Recipe</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    {metric}
                  </th>
                  <th scope="col" className="num">
                    $/1M
                  </th>
                  <th scope="col" className="num">
                    p50
                  </th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">Verdict</th>
                </tr>
              </thead>
              <tbody>
                {job.candidates.map((c, i) => {
                  const r = byVersion.get(c.id);
                  const best = job.bestVersion?.id === c.id;
                  return (
                    <tr key={c.id}>
                      <td>
                        {i + 1}. {humanize(c.source)}
                      </td>
                      <td>v{c.number}</td>
                      <td>
                        <span className="recipe" style={{ color: "inherit" }}>
                          {describeRecipe(c.source, c.recipe)}
                        </span>
                      </td>
                      <td>
                        <StatusBadge value={c.status} />
                      </td>
                      <td className="num">{formatMetric(metric, c.evaluation?.value ?? r?.metric ?? null)}</td>
                      <td className="num">{formatPerMillion(c.cost?.costPerMillionUsd)}</td>
                      <td className="num">{formatMs(c.cost?.latencyP50Ms)}</td>
                      <td className="num">{formatBytes(c.cost?.modelSizeBytes)}</td>
                      <td>
                        <Verdict r={r} best={best} status={c.status} stage={c.stage} statusMessage={c.statusMessage} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Card>
    </>
  );
}

function saving(s: { relative: number; measured: boolean } | null | undefined, against: string): string | null {
  if (!s) return null;
  if (!s.measured) return `no measured saving against ${against}`;
  return `${formatPercent(s.relative)} cheaper than ${against}`;
}

function Verdict({ r, best, status, stage, statusMessage }: { r: StepResult | undefined; best: boolean; status: string; stage: string; statusMessage: string | null | undefined }) {
  if (!r) {
    if (status === "PENDING") return <span className="muted">Being evaluated and measured</span>;
    if (stage === "REJECTED") return <span>{statusMessage ?? "Rejected"}</span>;
    return <span className="muted">Decided when the job ends</span>;
  }
  const notes = [saving(r.savingVsInput, "its input"), saving(r.savingVsSource, "the source")].filter(Boolean).join("; ");
  return (
    <div>
      {best ? <Badge tone="ok">Best: accepted</Badge> : r.withinGuardrail ? <Badge tone="info">Accepted (within guardrail)</Badge> : <Badge tone="bad">Rejected</Badge>}
      <span className="recipe">
        {r.reason ?? ""}
        {notes ? `${r.reason ? " · " : ""}${notes}` : ""}
        {r.note ? ` · ${r.note}` : ""}
      </span>
    </div>
  );
}
