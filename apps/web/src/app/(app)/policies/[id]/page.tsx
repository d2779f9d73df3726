import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, PageHeader, StatusBadge, Table } from "@/components/ui";
import { query } from "@/lib/api";
import { describePolicyHardware, formatDateTime, humanize } from "@/lib/format";
import { PolicyJobsQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { describeParams, STEP_DEFS, type StepKind } from "@/lib/steps";
import { EnabledToggle } from "@/components/enabled-toggle";
import { setPolicyEnabledAction } from "@/lib/actions/policies";
import { loadPolicy } from "./load-policy";
import { loadRunOptions } from "./load-run-options";
import { RunPolicyForm } from "./run-form";

export const metadata: Metadata = { title: "Policy" };

export default async function PolicyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [me, policy] = await Promise.all([getMe(), loadPolicy(id)]);
  const canEdit = can(me.role, "managePolicies");
  const canRun = can(me.role, "runPolicies");
  const [versions, { optimizationJobs }] = await Promise.all([
    canRun && policy.enabled ? loadRunOptions(policy) : Promise.resolve([]),
    query(PolicyJobsQuery, { policyId: policy.id }),
  ]);
  const jobs = optimizationJobs.edges.map((e) => e.node);

  return (
    <>
      <PageHeader
        title={policy.name}
        breadcrumb={{ href: "/policies", label: "Policies" }}
        lead={
          <>
            {policy.enabled ? null : (
              <>
                <Badge tone="warn">Disabled</Badge>{" "}
              </>
            )}
            {`${policy.team.name} · ${policy.model ? `for ${policy.model.name}` : "any model of the team"} · created ${formatDateTime(policy.createdAt)}`}
          </>
        }
        actions={
          canEdit ? (
            <>
              <Link href={`/policies/${policy.id}/edit`} className="button">
                Edit
              </Link>
              <EnabledToggle enabled={policy.enabled} setEnabled={setPolicyEnabledAction.bind(null, policy.id)} />
            </>
          ) : null
        }
      />
      <div className="grid">
        <Card title="Steps" id="steps">
          <ol style={{ margin: 0, paddingLeft: "1.2rem", display: "grid", gap: "0.5rem" }}>
            {policy.steps.map((s, i) => (
              <li key={i}>
                <strong>{STEP_DEFS[s.kind as StepKind]?.label ?? humanize(s.kind)}</strong>{" "}
                <span className="muted">{describeParams(s.kind, s.params)}</span>
              </li>
            ))}
          </ol>
        </Card>
        <Card title="Settings" id="settings">
          <dl className="stats">
            <div>
              <dt>Max accuracy drop</dt>
              <dd>{policy.maxAccuracyDrop}</dd>
            </div>
            <div>
              <dt>Hardware</dt>
              <dd>{describePolicyHardware(policy)}</dd>
            </div>
            <div>
              <dt>Trigger</dt>
              <dd>{humanize(policy.trigger)}</dd>
            </div>
            <div>
              <dt>Auto-promote</dt>
              <dd>{policy.autoPromote ? "Yes" : "No"}</dd>
            </div>
            <div>
              <dt>State</dt>
              <dd>{policy.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge tone="warn">Disabled</Badge>}</dd>
            </div>
          </dl>
        </Card>
      </div>
      {canRun ? (
        <Card title="Run on a version" id="run">
          {!policy.enabled ? (
            <p className="muted" style={{ margin: 0 }}>
              This policy is disabled: it does not run, neither by hand nor from its trigger or a budget.
              {canEdit ? " Enable it to run it again." : ""}
            </p>
          ) : versions.length === 0 ? (
            <p className="muted">No READY version to run it on yet: upload a version and wait for its measurement.</p>
          ) : (
            <RunPolicyForm policyId={policy.id} versions={versions} />
          )}
        </Card>
      ) : null}
      <Card title="Recent jobs of this policy" id="jobs">
        {jobs.length === 0 ? (
          <p className="muted">None among the latest jobs.</p>
        ) : (
          <Table
            cardOnMobile
            label="Recent jobs"
            columns={[{ label: "Job" }, { label: "Source" }, { label: "Status" }, { label: "Created" }]}
          >
            {jobs.map((j) => (
              <tr key={j.id}>
                <td>
                  <Link href={`/jobs/${j.id}`}>Job {j.id.slice(-6)}</Link>
                </td>
                <td>
                  {j.sourceVersion.model.name} v{j.sourceVersion.number}
                </td>
                <td>
                  <StatusBadge value={j.status} />
                </td>
                <td className="nowrap">{formatDateTime(j.createdAt)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </>
  );
}
