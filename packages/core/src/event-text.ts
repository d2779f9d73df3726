// What a person reads about an event, once for every channel that is not a program: the text of
// a Slack-compatible webhook message and of an e-mail. Written from the event's own payload (the
// JSON body a Costgate-format webhook receives), so every channel says the same thing.
import { formatShare, formatUsd } from "./money-display.ts";
import { TEST_EVENT } from "./webhook-events.ts";

/** A Slack incoming-webhook message: `text` for notifications and clients without blocks. */
export interface SlackMessage {
  text: string;
  blocks: { type: "section"; text: { type: "mrkdwn"; text: string } }[];
}

export interface EventText {
  /** One line: an e-mail's subject, a message's first line. */
  title: string;
  /** Further lines of detail (plain text). */
  lines: string[];
  /** Where the dashboard shows it ("/budgets/<id>"), to link when the dashboard's address is known. */
  path?: string;
}

type Json = Record<string, unknown>;
const str = (v: unknown, fallback = "?") => (typeof v === "string" && v ? v : fallback);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : Number(v));
const day = (iso: unknown) => (typeof iso === "string" ? iso.slice(0, 10) : "?");

function alertText(d: Json): EventText {
  const budget = (d.budget ?? {}) as Json;
  const amount = str(budget.amountUsd, "0");
  const forecast = d.kind === "THRESHOLD_FORECAST";
  const reached = forecast
    ? `forecast ${formatUsd(str(d.forecastUsd, "0"))}`
    : `spend ${formatUsd(str(d.spentUsd, "0"))}`;
  return {
    title: `Budget “${str(budget.name)}”: ${forecast ? "forecast" : "spend"} reached ${formatShare(num(d.threshold))} of ${formatUsd(amount)}`,
    lines: [
      `${reached[0]!.toUpperCase()}${reached.slice(1)} against a budget of ${formatUsd(amount)} (${str(budget.period, "").toLowerCase()}, ${day(d.periodStart)} to ${day(d.periodEnd)} UTC).`,
      `Spent so far ${formatUsd(str(d.spentUsd, "0"))} (${formatShare(num(d.utilization))}); forecast ${formatUsd(str(d.forecastUsd, "0"))} (${formatShare(num(d.forecastUtilization))}); state ${str(d.state).replace(/_/g, " ").toLowerCase()}.`,
      ...(d.exhaustsAt ? [`At this rate the budget runs out on ${day(d.exhaustsAt)}.`] : []),
    ],
    ...(typeof budget.id === "string" ? { path: `/budgets/${budget.id}` } : {}),
  };
}

function jobText(d: Json): EventText {
  const status = str(d.status).toLowerCase();
  return {
    title: `Optimization job “${str(d.policyName)}” ${status}`,
    lines: [
      d.bestVersionId ? `Best version: ${str(d.bestVersionId)}.` : "No version was proposed.",
      ...(d.error ? [`Error: ${str(d.error)}`] : []),
    ],
    ...(typeof d.jobId === "string" ? { path: `/jobs/${d.jobId}` } : {}),
  };
}

function promotedText(d: Json): EventText {
  return {
    title: `${str(d.modelName)} v${str(String(d.number ?? "?"))} moved to ${str(d.stage).toLowerCase()}`,
    lines: [
      `From ${str(d.fromStage).toLowerCase()}, by ${str(d.actor)}.`,
      ...(d.overrideReason ? [`Cost gate overridden: ${str(d.overrideReason)}`] : []),
    ],
    ...(typeof d.modelId === "string" ? { path: `/models/${d.modelId}` } : {}),
  };
}

function testText(d: Json): EventText {
  return {
    title: "Test event from Costgate",
    lines: [
      `${str(d.requestedBy, "Someone")} sent this from the Webhooks page to check that this address receives Costgate's messages. Nothing else happened.`,
    ],
    ...(typeof d.webhookId === "string" ? { path: `/admin/webhooks#webhook-${d.webhookId}` } : {}),
  };
}

/** The title and lines for an event's payload (the envelope's `data`); unknown events are named as they are. */
export function describeEvent(event: string, data: unknown): EventText {
  const d = (data && typeof data === "object" ? data : {}) as Json;
  if (event === "alert.created") return alertText(d);
  if (event === "job.finished") return jobText(d);
  if (event === "version.promoted") return promotedText(d);
  if (event === TEST_EVENT) return testText(d);
  return { title: `Costgate: ${event}`, lines: [] };
}

/** The address of an event's page on the dashboard at `dashboardUrl`, if both are known. */
export function eventLink(text: EventText, dashboardUrl: string | null | undefined): string | null {
  return text.path && dashboardUrl ? `${dashboardUrl.replace(/\/+$/, "")}${text.path}` : null;
}

/** The Slack-compatible body (incoming-webhook JSON) for an event, with a link to it when the dashboard is known. */
export function slackMessage(text: EventText, dashboardUrl?: string | null): SlackMessage {
  const link = eventLink(text, dashboardUrl);
  const plain = [text.title, ...text.lines, ...(link ? [link] : [])].join("\n");
  const mrkdwn = [`*${text.title}*`, ...text.lines, ...(link ? [`<${link}|Open in Costgate>`] : [])].join("\n");
  return { text: plain, blocks: [{ type: "section", text: { type: "mrkdwn", text: mrkdwn } }] };
}
