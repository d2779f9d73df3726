import { createHmac, timingSafeEqual } from "node:crypto";

/** Receivers should refuse deliveries whose timestamp is older than this (replays). */
const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Hex HMAC-SHA256 of `${timestamp}.${rawBody}` with the webhook's secret (docs/WEBHOOKS.md). */
const webhookHmac = (secret: string, timestamp: number, rawBody: string): string =>
  createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest("hex");

/** The Costgate-Signature header: `t=<unix seconds>,v1=<hex HMAC>`. */
export const signWebhook = (secret: string, timestamp: number, rawBody: string): string =>
  `t=${timestamp},v1=${webhookHmac(secret, timestamp, rawBody)}`;

/**
 * What a receiver does: parse the header, refuse a timestamp outside the tolerance, recompute
 * the HMAC over the raw body and compare in constant time; given the Costgate-Delivery header,
 * check it is the body's signed `deliveryId` (the id receivers dedupe on, so a capture replayed
 * within the tolerance under a new id is refused). Returns why it failed, or null.
 */
export function webhookSignatureProblem(
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
  deliveryHeader?: string,
): string | null {
  if (!header) return "no Costgate-Signature header";
  const parts = new Map(header.split(",").map((kv) => kv.trim().split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1");
  if (!Number.isInteger(t) || !v1) return "malformed Costgate-Signature header";
  if (Math.abs(nowSeconds - t) > toleranceSeconds)
    return `timestamp ${t} is outside the ${toleranceSeconds} s tolerance`;
  const expected = Buffer.from(webhookHmac(secret, t, rawBody), "hex");
  const given = Buffer.from(v1, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "signature does not match";
  if (deliveryHeader !== undefined) {
    const signedId = signedDeliveryId(rawBody);
    if (signedId !== deliveryHeader)
      return `Costgate-Delivery ${deliveryHeader} is not the signed deliveryId ${signedId}`;
  }
  return null;
}

function signedDeliveryId(rawBody: string): string | null {
  try {
    const parsed: unknown = JSON.parse(rawBody);
    const id = (parsed as { deliveryId?: unknown } | null)?.deliveryId;
    return typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}

/** The body of one delivery: the event's payload with the delivery's id first, so the signature covers it. */
export const webhookBody = (deliveryId: string, payload: object): string => JSON.stringify({ deliveryId, ...payload });
