import { EnabledToggle } from "@/components/enabled-toggle";
import { Badge } from "@/components/ui";
import { setWebhookEnabledAction } from "@/lib/actions/admin";
import { formatDateTime } from "@/lib/format";
import { DeleteWebhook } from "./delete-webhook";
import { DeliveriesTable, type Webhook } from "./deliveries-table";

/** One webhook: where it sends, which events, whether it is on, its controls and its recent deliveries. */
export function WebhookCard({ webhook: w, showTeam, deliveryLimit }: { webhook: Webhook; showTeam: boolean; deliveryLimit: number }) {
  const titleId = `webhook-${w.id}-title`;
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="row" style={{ marginBottom: "0.5rem" }}>
        <h2 id={titleId} style={{ margin: 0, fontSize: "1.05rem", overflowWrap: "anywhere", minWidth: 0 }}>
          {w.url}
        </h2>
        {w.enabled ? <Badge tone="ok">Enabled</Badge> : <Badge>Disabled</Badge>}
        <span className="spacer" />
        <div className="page-actions">
          <EnabledToggle enabled={w.enabled} setEnabled={setWebhookEnabledAction.bind(null, w.id)} describedBy={titleId} />
          <DeleteWebhook id={w.id} url={w.url} describedBy={titleId} />
        </div>
      </div>
      <p className="small muted" style={{ margin: "0 0 1rem" }}>
        Events: {w.events.join(", ")}
        {showTeam ? ` · Team: ${w.team.name}` : ""} · Created <time dateTime={w.createdAt}>{formatDateTime(w.createdAt)}</time>
      </p>
      <h3 style={{ fontSize: "0.95rem", margin: "0 0 0.5rem" }}>Recent deliveries</h3>
      <DeliveriesTable deliveries={w.deliveries} label={`Recent deliveries to ${w.url}`} limit={deliveryLimit} />
    </section>
  );
}
