import type { DeliveryStatus } from "@costgate/db";
import type { TestApi } from "./harness.ts";

const CREATE_WEBHOOK = `mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`;
export const SECRET = "whsec-a-signing-secret-0123";

/** A webhook of the team, registered through the API (so its secret is sealed as in production). */
export async function createWebhook(
  api: TestApi,
  teamId: string,
  over: { url?: string; events?: string[] } = {},
): Promise<string> {
  const { createWebhook } = await api.ok<{ createWebhook: { id: string } }>(CREATE_WEBHOOK, {
    i: {
      teamId,
      url: over.url ?? "https://hooks.example.com/costgate",
      secret: SECRET,
      events: over.events ?? ["alert.created"],
    },
  });
  return createWebhook.id;
}

export interface AttemptFixture {
  statusCode: number | null;
  durationMs: number;
  error?: string | null;
  at: string;
}

/** A delivery as the worker leaves it, with its attempts: test data written directly instead of running the worker. */
export async function recordDelivery(
  api: TestApi,
  webhookId: string,
  d: { eventKey: string; at: string; status?: DeliveryStatus; attempts?: AttemptFixture[]; deliveredAt?: string },
) {
  const attempts = d.attempts ?? [];
  return api.db.webhookDelivery.create({
    data: {
      webhookId,
      event: "alert.created",
      eventKey: d.eventKey,
      payload: { event: "alert.created", eventKey: d.eventKey },
      status: d.status ?? "PENDING",
      attempts: attempts.length,
      createdAt: new Date(d.at),
      deliveredAt: d.deliveredAt ? new Date(d.deliveredAt) : null,
      attemptsLog: {
        create: attempts.map((a) => ({
          statusCode: a.statusCode,
          durationMs: a.durationMs,
          error: a.error ?? null,
          createdAt: new Date(a.at),
        })),
      },
    },
  });
}
