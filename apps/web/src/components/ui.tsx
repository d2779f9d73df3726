// Small presentational pieces shared by the pages (server-safe: no hooks).
import Link from "next/link";
import type { CSSProperties, ReactNode } from "react";

export function PageHeader({
  title,
  lead,
  actions,
  breadcrumb,
}: {
  title: string;
  lead?: ReactNode;
  actions?: ReactNode;
  breadcrumb?: { href: string; label: string };
}) {
  return (
    <div className="page-header">
      <div>
        {breadcrumb ? (
          <div className="breadcrumb">
            <Link href={breadcrumb.href}>← {breadcrumb.label}</Link>
          </div>
        ) : null}
        <h1>{title}</h1>
        {lead ? <p className="lead">{lead}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

/** The one panel of the dashboard: an optional heading (with a badge beside it and actions at its end). */
export function Card({
  title,
  children,
  id,
  actions,
  badge,
}: {
  title?: ReactNode;
  children: ReactNode;
  id?: string;
  actions?: ReactNode;
  badge?: ReactNode;
}) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className="card" aria-labelledby={title ? headingId : undefined} id={id}>
      {title ? (
        <div className="row card-head">
          <h2 id={headingId} className="card-title">
            {title}
          </h2>
          {badge}
          {actions ? (
            <>
              <span className="spacer" />
              {actions}
            </>
          ) : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export type Tone = "ok" | "warn" | "bad" | "info" | "neutral";

export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge ${tone === "neutral" ? "" : tone}`}>{children}</span>;
}

const TONES: Record<string, Tone> = {
  OK: "ok",
  AT_RISK: "warn",
  EXCEEDED: "bad",
  READY: "ok",
  PENDING: "info",
  FAILED: "bad",
  QUEUED: "info",
  RUNNING: "info",
  SUCCEEDED: "ok",
  CANCELLED: "neutral",
  PRODUCTION: "ok",
  STAGING: "info",
  CANDIDATE: "neutral",
  ARCHIVED: "neutral",
  REJECTED: "bad",
  RETRYING: "warn",
};

const LABELS: Record<string, string> = { AT_RISK: "At risk", ML_ENGINEER: "ML engineer" };

/** A status enum as a coloured badge with readable text ("AT_RISK" → "At risk"). */
export function StatusBadge({ value }: { value: string }) {
  const label = LABELS[value] ?? value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, " ");
  return <Badge tone={TONES[value] ?? "neutral"}>{label}</Badge>;
}

/** A horizontally scrollable table container that keyboard users can scroll too. */
function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** A column of a Table: its header, and the label each of its cells shows when the row is a card. */
type Column = {
  /** Plain text: the header when `header` is not given, and the cell's label on a phone. */
  label: string;
  header?: ReactNode;
  className?: string;
  style?: CSSProperties;
};

/** Most columns a cardOnMobile table may have (globals.css labels cells 1 to 12). */
const MAX_CARD_COLUMNS = 12;

/** The columns' labels as CSS custom properties (--col-1 …), which globals.css shows before each cell. */
function columnLabels(columns: Column[]): CSSProperties {
  if (columns.length > MAX_CARD_COLUMNS)
    throw new Error(`a cardOnMobile table has at most ${MAX_CARD_COLUMNS} columns`);
  return Object.fromEntries(columns.map((c, i) => [`--col-${i + 1}`, JSON.stringify(c.label)])) as CSSProperties;
}

/**
 * The one data table of the dashboard: a keyboard-scrollable region, a header row from `columns`, and
 * the rows given as children (<tr> elements, or components that render one). With `cardOnMobile`, each
 * row becomes a card on a phone (≤ 640 px): the first cell is the card's title and every other cell shows
 * its column's label before its value (from CSS custom properties, so row components need nothing).
 */
export function Table({
  label,
  columns,
  caption,
  className,
  cardOnMobile = false,
  children,
}: {
  label: string;
  columns: Column[];
  caption?: ReactNode;
  className?: string;
  cardOnMobile?: boolean;
  children: ReactNode;
}) {
  const classes = [className, cardOnMobile ? "cards-on-mobile" : null].filter(Boolean).join(" ");
  return (
    <TableWrap label={label}>
      <table className={classes || undefined} style={cardOnMobile ? columnLabels(columns) : undefined}>
        {caption ? <caption>{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col" className={c.className} style={c.style}>
                {c.header ?? c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableWrap>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(1, value)) * 100;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
    >
      <span style={{ width: `${pct}%` }} />
    </div>
  );
}

export function Forbidden({ what }: { what: string }) {
  return (
    <div className="alert info" role="status">
      Your role cannot {what}. Ask a team member with the right role, or an admin.
    </div>
  );
}

/**
 * A line of short phrases ("Queued · 2nd in line · waiting 3 s", "waited 3 min, ran 5 min") that
 * wraps between phrases, never inside one: a narrow column does not leave "3" at the end of a line
 * and "s" on the next. The text is the same as the string's.
 */
export function Phrases({ text }: { text: string }) {
  const parts = text.split(/( · |, )/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 ? (
          part
        ) : (
          <span key={i} className="nowrap">
            {part}
          </span>
        ),
      )}
    </>
  );
}
