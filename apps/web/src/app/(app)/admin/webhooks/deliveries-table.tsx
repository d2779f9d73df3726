import { StatusBadge, Table } from "@/components/ui";
import type { ResultOf } from "@/lib/api";
import { formatCount, formatDateTime, formatDueIn, formatMs } from "@/lib/format";
import type { WebhooksQuery } from "@/lib/operations";

export type Webhook = ResultOf<typeof WebhooksQuery>["webhooks"][number];
type Delivery = Webhook["deliveries"][number];

/** What the receiver last answered: its HTTP status, else why no answer came. */
function lastAnswer(attempt: Delivery["lastAttempt"]): string {
  if (!attempt) return "Not attempted yet";
  if (attempt.statusCode !== null && attempt.statusCode !== undefined) return `HTTP ${attempt.statusCode}`;
  return attempt.error ?? "No answer";
}

/** A delivery's state: a pending one that has already failed is waiting for its next try, which the worker scheduled. */
function DeliveryStatus({ delivery: d, now }: { delivery: Delivery; now: number }) {
  const retrying = d.status === "PENDING" && d.attempts > 0;
  // "now" once due: the worker is on it (or, if this lasts, not running).
  const due = d.nextAttemptAt ? formatDueIn(d.nextAttemptAt, now) : null;
  return (
    <>
      <StatusBadge value={retrying ? "RETRYING" : d.status} />
      {retrying && d.nextAttemptAt ? (
        <span className="recipe">
          Next attempt{" "}
          <time dateTime={d.nextAttemptAt} title={formatDateTime(d.nextAttemptAt)}>
            {due === "now" ? "due now" : due}
          </time>
        </span>
      ) : null}
    </>
  );
}

/** The JSON the delivery sends, pretty-printed, on demand (the page is only for those who may read webhooks). */
function Payload({ payload }: { payload: unknown }) {
  return (
    <details className="payload">
      <summary>Payload</summary>
      <pre>{JSON.stringify(payload, null, 2)}</pre>
    </details>
  );
}

/** A webhook's recent deliveries, newest first. */
export function DeliveriesTable({
  deliveries,
  label,
  limit,
  now,
}: {
  deliveries: Delivery[];
  label: string;
  limit: number;
  /** When the page was rendered: retries are due "in 8 s" from then. */
  now: number;
}) {
  if (deliveries.length === 0) {
    // Not EmptyState: its <h2> would sit under this card's "Recent deliveries" <h3>.
    return (
      <div className="empty">
        <p style={{ margin: 0 }}>
          <strong>No deliveries yet.</strong> One appears here each time a subscribed event happens, or when you send a
          test event.
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
          <td className="payload-cell">
            <span className="nowrap">{d.event}</span>
            <Payload payload={d.payload} />
          </td>
          <td>
            <DeliveryStatus delivery={d} now={now} />
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
