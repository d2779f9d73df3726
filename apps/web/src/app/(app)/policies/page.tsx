import type { Metadata } from "next";
import Link from "next/link";
import { Badge, Card, EmptyState, PageHeader, Table } from "@/components/ui";
import { query } from "@/lib/api";
import { describePolicyHardware, humanize } from "@/lib/format";
import { PoliciesQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { describeParams } from "@/lib/steps";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage() {
  const [me, { optimizationPolicies: policies }] = await Promise.all([getMe(), query(PoliciesQuery)]);
  const canCreate = can(me.role, "managePolicies");
  return (
    <>
      <PageHeader
        title="Policies"
        lead="Optimization policies: the steps that make cheaper versions of a model, and how much accuracy they may give up."
        actions={
          canCreate ? (
            <Link href="/policies/new" className="button primary">
              New policy
            </Link>
          ) : null
        }
      />
      {policies.length === 0 ? (
        <Card>
          <EmptyState title="No policies yet">
            <p>
              {canCreate
                ? "Create one: for example structured pruning, a short fine-tune, then uint8 quantization."
                : "ML engineers create optimization policies here."}
            </p>
          </EmptyState>
        </Card>
      ) : (
        <Table
          cardOnMobile
          label="Policies"
          columns={[
            { label: "Name" },
            { label: "Scope" },
            { label: "Steps" },
            { label: "Max drop", className: "num" },
            { label: "Hardware" },
            { label: "Trigger" },
            { label: "Auto-promote" },
            { label: "State" },
          ]}
        >
          {policies.map((p) => (
            <tr key={p.id}>
              <td>
                <Link href={`/policies/${p.id}`}>{p.name}</Link>
              </td>
              <td>
                {p.team.name}
                <span className="recipe">{p.model ? p.model.name : "any model of the team"}</span>
              </td>
              <td>
                <ol style={{ margin: 0, paddingLeft: "1.1rem" }}>
                  {p.steps.map((s, i) => (
                    <li key={i}>
                      {humanize(s.kind)} <span className="muted small">{describeParams(s.kind, s.params)}</span>
                    </li>
                  ))}
                </ol>
              </td>
              <td className="num">{p.maxAccuracyDrop}</td>
              <td>{describePolicyHardware(p)}</td>
              <td>{humanize(p.trigger)}</td>
              <td>{p.autoPromote ? "Yes" : "No"}</td>
              <td>{p.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>}</td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
