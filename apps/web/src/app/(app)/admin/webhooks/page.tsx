import type { Metadata } from "next";
import { Card, EmptyState, PageHeader, TableWrap } from "@/components/ui";
import { query } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { WebhookEventsQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { WebhookForm } from "./webhook-form";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const [me, data] = await Promise.all([getMe(), query(WebhookEventsQuery, { first: 50 })]);
  const canEdit = can(me.role, "manageWebhooks");
  const created = data.auditEvents.edges
    .map((e) => e.node)
    .filter((e) => e.action === "webhook.create")
    .map((e) => {
      const after = (e.after ?? {}) as { url?: string; events?: string[] };
      return { id: e.entityId, url: after.url ?? "—", events: after.events ?? [], createdAt: e.createdAt, actor: e.actor };
    });
  return (
    <>
      <PageHeader title="Webhooks" lead="Costgate POSTs signed JSON (HMAC-SHA256, header Costgate-Signature) to these URLs when alerts are raised, jobs finish or versions are promoted; failed deliveries are retried with backoff." />
      <Card title="Webhooks" id="webhooks">
        {created.length === 0 ? (
          <EmptyState title="No webhooks yet">{canEdit ? <p>Create one below.</p> : null}</EmptyState>
        ) : (
          <TableWrap label="Webhooks">
            <table>
              <caption>From the audit log: the API does not list webhooks or their deliveries yet.</caption>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Created</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {created.map((w) => (
                  <tr key={w.id}>
                    <td style={{ overflowWrap: "anywhere" }}>{w.url}</td>
                    <td>{w.events.join(", ")}</td>
                    <td className="nowrap">{formatDateTime(w.createdAt)}</td>
                    <td className="small">{w.actor}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Card>
      {canEdit ? (
        <Card title="New webhook" id="new-webhook">
          <WebhookForm teams={data.teams.map((t) => ({ value: t.id, label: t.name }))} defaultTeamId={me.team?.id ?? data.teams[0]?.id ?? ""} />
        </Card>
      ) : null}
    </>
  );
}
