/** The events a webhook can subscribe to. */
export const WEBHOOK_EVENTS = [
  "alert.created",
  "job.finished",
  "version.promoted",
  "promotion.override_requested",
  "anomaly.detected",
  "export.finished",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * What `sendTestWebhook` delivers to one webhook, whatever events it subscribes to, so a person can
 * check that the receiver gets (and can verify) Costgate's messages. Not an event to subscribe to.
 */
export const TEST_EVENT = "webhook.test";
