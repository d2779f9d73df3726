import type { Metadata } from "next";
import { AutoRefresh } from "@/components/auto-refresh";
import { Card, EmptyState, Forbidden, PageHeader } from "@/components/ui";
import { query } from "@/lib/api";
import { WebhooksQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { WebhookCard } from "./webhook-card";
import { WebhookForm } from "./webhook-form";

export const metadata: Metadata = { title: "Webhooks" };

const LEAD =
  "Costgate POSTs signed JSON (HMAC-SHA256, header Costgate-Signature) to these URLs when alerts are raised, jobs finish or versions are promoted; failed deliveries are retried with backoff.";
/** Deliveries shown per webhook, newest first. */
const DELIVERIES = 10;

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<{ deleted?: string }> }) {
  const me = await getMe();
  // The API lets only the roles that manage webhooks read them.
  if (!can(me.role, "manageWebhooks")) {
    return (
      <>
        <PageHeader title="Webhooks" lead={LEAD} />
        <Forbidden what="see or manage webhooks (finance and admins can)" />
      </>
    );
  }
  const [{ teams, webhooks }, { deleted }] = await Promise.all([
    query(WebhooksQuery, { deliveries: DELIVERIES }),
    searchParams,
  ]);
  const now = Date.now();
  // A delivery on its way (a test just sent, a retry due) shows its outcome without a reload.
  const pending = webhooks.some((w) => w.deliveries.some((d) => d.status === "PENDING"));
  return (
    <>
      <AutoRefresh active={pending} intervalMs={3000} />
      <PageHeader title="Webhooks" lead={LEAD} />
      {deleted ? (
        <div className="alert success" role="status">
          Webhook deleted, with its delivery history.
        </div>
      ) : null}
      {webhooks.length === 0 ? (
        <Card>
          <EmptyState title="No webhooks yet">
            <p>Create one below.</p>
          </EmptyState>
        </Card>
      ) : (
        webhooks.map((w) => (
          <WebhookCard key={w.id} webhook={w} showTeam={teams.length > 1} deliveryLimit={DELIVERIES} now={now} />
        ))
      )}
      <Card title="New webhook" id="new-webhook">
        <WebhookForm
          teams={teams.map((t) => ({ value: t.id, label: t.name }))}
          defaultTeamId={me.team?.id ?? teams[0]?.id ?? ""}
        />
      </Card>
    </>
  );
}
