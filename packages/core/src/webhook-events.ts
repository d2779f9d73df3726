/** The events a webhook can subscribe to. */
export const WEBHOOK_EVENTS = [
  "alert.created",
  "job.finished",
  "version.promoted",
  "promotion.override_requested",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
