import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/pager";
import { AutoRefresh } from "@/components/auto-refresh";
import { Card, EmptyState, PageHeader, Phrases, ProgressBar, StatusBadge, Table } from "@/components/ui";
import { query } from "@/lib/api";
import { describeJobTiming, formatDateTime, formatPercent } from "@/lib/format";
import { JobsQuery } from "@/lib/operations";

export const metadata: Metadata = { title: "Jobs" };

const STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;

export default async function JobsPage({
  searchParams,
}: {
  searchParams: Promise<{ status?: string; after?: string }>;
}) {
  const sp = await searchParams;
  const status = STATUSES.find((s) => s === sp.status) ?? null;
  const { optimizationJobs } = await query(JobsQuery, { status, first: 25, after: sp.after || null });
  const jobs = optimizationJobs.edges.map((e) => e.node);
  const live = jobs.some((j) => j.status === "QUEUED" || j.status === "RUNNING");
  const now = Date.now();
  return (
    <>
      <AutoRefresh active={live} intervalMs={2000} />
      <PageHeader
        title="Jobs"
        lead="Optimization runs: each applies a policy's steps to a version and picks the cheapest candidate within its accuracy guardrail."
      />
      <Card>
        <form method="get" action="/jobs" className="inline-form">
          <div className="field" style={{ maxWidth: 260 }}>
            <label htmlFor="job-status">Status</label>
            <select id="job-status" name="status" defaultValue={status ?? ""}>
              <option value="">All</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.charAt(0) + s.slice(1).toLowerCase()}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button">
            Filter
          </button>
        </form>
      </Card>
      {jobs.length === 0 ? (
        <Card>
          <EmptyState title={status ? `No ${status.toLowerCase()} jobs` : "No jobs yet"}>
            <p>
              Run a policy from its page: <Link href="/policies">Policies</Link>.
            </p>
          </EmptyState>
        </Card>
      ) : (
        <>
          <Table
            cardOnMobile
            label="Jobs"
            caption={
              <>
                {optimizationJobs.totalCount} job(s), newest first{live ? "; running jobs update by themselves" : ""}
              </>
            }
            columns={[
              { label: "Job" },
              { label: "Model" },
              { label: "Status" },
              { label: "Progress" },
              { label: "Stage" },
              { label: "Best" },
              { label: "Created" },
            ]}
          >
            {jobs.map((j) => (
              <tr key={j.id}>
                <td>
                  <Link href={`/jobs/${j.id}`}>{j.policy.name}</Link>
                  <span className="recipe">{j.triggeredBy}</span>
                </td>
                <td>
                  {j.model.name} v{j.sourceVersion.number}
                </td>
                <td>
                  <StatusBadge value={j.status} />
                </td>
                <td style={{ minWidth: 110 }}>
                  <ProgressBar value={j.progress} label={`Progress of ${j.policy.name}`} />
                  <span className="small muted">{formatPercent(j.progress, 0)}</span>
                </td>
                <td className="small">
                  {j.status === "QUEUED" ? <Phrases text={describeJobTiming(j, now)} /> : (j.stage ?? "—")}
                </td>
                <td>{j.bestVersion ? `v${j.bestVersion.number}` : "—"}</td>
                <td>
                  <span className="nowrap">{formatDateTime(j.createdAt)}</span>
                  {j.status === "QUEUED" ? null : (
                    <span className="recipe">
                      <Phrases text={describeJobTiming(j, now)} />
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </Table>
          <Pager path="/jobs" params={{ status }} after={sp.after} pageInfo={optimizationJobs.pageInfo} />
        </>
      )}
    </>
  );
}
