import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/pager";
import { Card, EmptyState, PageHeader, Table } from "@/components/ui";
import { query } from "@/lib/api";
import { auditChanges, entityHref } from "@/lib/audit-diff";
import { formatDateTime } from "@/lib/format";
import { AuditQuery } from "@/lib/operations";

export const metadata: Metadata = { title: "Audit log" };

type Filters = { entityType?: string; entityId?: string; action?: string; actor?: string; after?: string };

/** "ModelVersion" → "model version". */
const typeLabel = (type: string) => type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

export default async function AuditPage({ searchParams }: { searchParams: Promise<Filters> }) {
  const f = await searchParams;
  const clean = (v?: string) => (v && v.trim() ? v.trim() : null);
  const { auditEvents } = await query(AuditQuery, {
    entityType: clean(f.entityType),
    entityId: clean(f.entityId),
    action: clean(f.action),
    actor: clean(f.actor),
    first: 50,
    after: clean(f.after),
  });
  const events = auditEvents.edges.map((e) => e.node);
  const filters = Object.fromEntries(
    Object.entries({ entityType: f.entityType, entityId: f.entityId, action: f.action, actor: f.actor }).filter(
      ([, v]) => v,
    ),
  ) as Record<string, string>;
  return (
    <>
      <PageHeader title="Audit log" lead="Every change, who made it and what it was before and after; newest first." />
      <Card>
        <form method="get" action="/admin/audit" className="inline-form">
          <div className="field">
            <label htmlFor="audit-type">Entity type</label>
            <input
              id="audit-type"
              name="entityType"
              defaultValue={f.entityType ?? ""}
              placeholder="Budget, ModelVersion…"
            />
          </div>
          <div className="field">
            <label htmlFor="audit-id">Entity ID</label>
            <input id="audit-id" name="entityId" defaultValue={f.entityId ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="audit-action">Action</label>
            <input id="audit-action" name="action" defaultValue={f.action ?? ""} placeholder="budget.create" />
          </div>
          <div className="field">
            <label htmlFor="audit-actor">Actor</label>
            <input
              id="audit-actor"
              name="actor"
              defaultValue={f.actor ?? ""}
              placeholder="user:…, apikey:… (click a name)"
            />
          </div>
          <button type="submit" className="button">
            Filter
          </button>
          {Object.keys(filters).length ? (
            <Link href="/admin/audit" className="button">
              Clear
            </Link>
          ) : null}
        </form>
      </Card>
      {events.length === 0 ? (
        <Card>
          <EmptyState title="No audit events match" />
        </Card>
      ) : (
        <>
          <Table
            label="Audit events"
            caption={<>{auditEvents.totalCount} event(s)</>}
            columns={[
              { label: "When" },
              { label: "Actor" },
              { label: "Action" },
              { label: "Entity" },
              { label: "Change" },
            ]}
          >
            {events.map((e) => {
              const href = entityHref(e.entityType, e.entityId, e.entity ?? null);
              const changes = auditChanges(e.before, e.after);
              return (
                <tr key={e.id}>
                  <td className="nowrap">{formatDateTime(e.createdAt)}</td>
                  <td>
                    <Link
                      href={`/admin/audit?actor=${encodeURIComponent(e.actor)}`}
                      title={`Only the events of ${e.actorName}`}
                    >
                      {e.actorName}
                    </Link>
                  </td>
                  <td>
                    <Link href={`/admin/audit?action=${encodeURIComponent(e.action)}`}>{e.action}</Link>
                  </td>
                  <td>
                    {e.entity ? (
                      href ? (
                        <Link href={href}>{e.entity.name}</Link>
                      ) : (
                        e.entity.name
                      )
                    ) : (
                      <span className="muted">deleted</span>
                    )}
                    <span className="recipe">
                      <Link
                        href={`/admin/audit?entityType=${encodeURIComponent(e.entityType)}&entityId=${encodeURIComponent(e.entityId)}`}
                        aria-label={`${typeLabel(e.entityType)} history${e.entity ? ` of ${e.entity.name}` : ""}`}
                      >
                        {typeLabel(e.entityType)} history
                      </Link>
                    </span>
                  </td>
                  <td className="small audit-change">
                    {changes.length === 0 ? (
                      <span className="muted">No field changed</span>
                    ) : (
                      <table className="audit-diff">
                        <caption className="visually-hidden">Changes</caption>
                        <thead className="visually-hidden">
                          <tr>
                            <th scope="col">Field</th>
                            <th scope="col">Before</th>
                            <th scope="col">After</th>
                          </tr>
                        </thead>
                        <tbody>
                          {changes.map((c) => (
                            <tr key={c.field}>
                              <th scope="row">{c.field}</th>
                              <td>{c.before === null ? null : <del>{c.before}</del>}</td>
                              <td>
                                {c.after === null ? <span className="muted">removed</span> : <ins>{c.after}</ins>}
                              </td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    )}
                  </td>
                </tr>
              );
            })}
          </Table>
          <Pager path="/admin/audit" params={filters} after={f.after} pageInfo={auditEvents.pageInfo} />
        </>
      )}
    </>
  );
}
