import { ActionButton } from "@/components/action-button";
import { EnabledToggle } from "@/components/enabled-toggle";
import { Badge, Card } from "@/components/ui";
import { deleteWebhookAction, sendTestWebhookAction, setWebhookEnabledAction } from "@/lib/actions/admin";
import { formatDateTime } from "@/lib/format";
import { ConfirmDelete } from "@/components/confirm-delete";
import { DeliveriesTable, type Webhook } from "./deliveries-table";

/**
 * One webhook: where it sends, which events, whether it is on, its controls (a test event, on/off,
 * delete) and its recent deliveries.
 */
export function WebhookCard({
  webhook: w,
  showTeam,
  deliveryLimit,
  now,
}: {
  webhook: Webhook;
  showTeam: boolean;
  deliveryLimit: number;
  /** When the page was rendered (retries are due "in 8 s" from then). */
  now: number;
}) {
  const titleId = `webhook-${w.id}-title`;
  return (
    <Card
      id={`webhook-${w.id}`}
      title={w.url}
      badge={w.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>}
      actions={
        <div className="page-actions">
          {w.enabled ? (
            // A disabled webhook's deliveries fail at once: the API refuses to test one.
            <ActionButton
              label="Send test event"
              pendingLabel="Sending…"
              run={sendTestWebhookAction.bind(null, w.id)}
              refused="Could not send a test event"
              describedBy={titleId}
            />
          ) : null}
          <EnabledToggle
            enabled={w.enabled}
            setEnabled={setWebhookEnabledAction.bind(null, w.id)}
            describedBy={titleId}
          />
          <ConfirmDelete id={w.id} what="webhook" action={deleteWebhookAction} describedBy={titleId}>
            Costgate stops sending events to {w.url}. Its delivery history is deleted with it, and deliveries still
            waiting for a retry are dropped. This cannot be undone.
          </ConfirmDelete>
        </div>
      }
    >
      <p className="small muted" style={{ margin: "0 0 1rem" }}>
        Events: {w.events.join(", ")} · {w.format === "SLACK" ? "Slack messages" : "Costgate JSON"}
        {showTeam ? ` · Team: ${w.team.name}` : ""} · Created{" "}
        <time dateTime={w.createdAt}>{formatDateTime(w.createdAt)}</time>
      </p>
      <h3 style={{ fontSize: "0.95rem", margin: "0 0 0.5rem" }}>Recent deliveries</h3>
      <DeliveriesTable
        deliveries={w.deliveries}
        label={`Recent deliveries to ${w.url}`}
        limit={deliveryLimit}
        now={now}
      />
    </Card>
  );
}
