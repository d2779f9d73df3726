import type { Db, WebhookAttempt, WebhookDelivery } from "@costgate/db";
import { newestFirst } from "../../graphql/pagination.ts";

export type DeliveryWithLastAttempt = WebhookDelivery & { lastAttempt: WebhookAttempt | null };

/**
 * The newest `first` deliveries of each webhook (newest first), each with its latest attempt,
 * in two statements whatever the number of webhooks: a window over the (webhook_id, created_at)
 * index picks the ids, then one query reads them with their attempts.
 */
export async function recentDeliveries(
  db: Db,
  webhookIds: readonly string[],
  first: number,
): Promise<Map<string, DeliveryWithLastAttempt[]>> {
  const byWebhook = new Map<string, DeliveryWithLastAttempt[]>(webhookIds.map((id) => [id, []]));
  if (webhookIds.length === 0) return byWebhook;
  const picked = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM (
      SELECT id, row_number() OVER (PARTITION BY webhook_id ORDER BY created_at DESC, id DESC) AS n
      FROM webhook_deliveries
      WHERE webhook_id = ANY(${[...webhookIds]}::text[])
    ) ranked
    WHERE n <= ${first}`;
  if (picked.length === 0) return byWebhook;
  const rows = await db.webhookDelivery.findMany({
    where: { id: { in: picked.map((p) => p.id) } },
    orderBy: newestFirst,
    include: { attemptsLog: { orderBy: newestFirst, take: 1 } },
  });
  for (const { attemptsLog, ...delivery } of rows)
    byWebhook.get(delivery.webhookId)?.push({ ...delivery, lastAttempt: attemptsLog[0] ?? null });
  return byWebhook;
}
