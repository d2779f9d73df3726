import { StatusBadge, Table } from "@/components/ui";
import type { ResultOf } from "@/lib/api";
import { formatCount, formatDateTime, formatMs } from "@/lib/format";
import type { WebhooksQuery } from "@/lib/operations";

export type Webhook = ResultOf<typeof WebhooksQuery>["webhooks"][number];
type Delivery = Webhook["deliveries"][number];

/** What the receiver last answered: its HTTP status, else why no answer came. */
function lastAnswer(attempt: Delivery["lastAttempt"]): string {
  if (!attempt) return "Not attempted yet";
  if (attempt.statusCode !== null && attempt.statusCode !== undefined) return `HTTP ${attempt.statusCode}`;
  return attempt.error ?? "No answer";
}

/** A webhook's recent deliveries, newest first. */
export function DeliveriesTable({
  deliveries,
  label,
  limit,
}: {
  deliveries: Delivery[];
  label: string;
  limit: number;
}) {
  if (deliveries.length === 0) {
    // Not EmptyState: its <h2> would sit under this card's "Recent deliveries" <h3>.
    return (
      <div className="empty">
        <p style={{ margin: 0 }}>
          <strong>No deliveries yet.</strong> One appears here each time a subscribed event happens.
        </p>
      </div>
    );
  }
  return (
    <Table
      cardOnMobile
      label={label}
      caption={deliveries.length >= limit ? <>The {limit} newest deliveries.</> : null}
      columns={[
        { label: "Event" },
        { label: "Status" },
        { label: "Attempts", className: "num" },
        { label: "Last answer" },
        { label: "Time" },
      ]}
    >
      {deliveries.map((d) => (
        <tr key={d.id}>
          <td className="nowrap">{d.event}</td>
          <td>
            {/* A pending delivery that has already failed is waiting for its next try. */}
            <StatusBadge value={d.status === "PENDING" && d.attempts > 0 ? "RETRYING" : d.status} />
          </td>
          <td className="num">{formatCount(d.attempts)}</td>
          <td style={{ minWidth: "12rem", overflowWrap: "anywhere" }}>
            {lastAnswer(d.lastAttempt)}
            {d.lastAttempt ? <span className="recipe">after {formatMs(d.lastAttempt.durationMs)}</span> : null}
          </td>
          <td className="nowrap">
            <time dateTime={d.createdAt}>{formatDateTime(d.createdAt)}</time>
          </td>
        </tr>
      ))}
    </Table>
  );
}
