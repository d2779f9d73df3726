import http from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../test/flow.ts";
import { deliverWebhook } from "../features/deliver-webhook.ts";
import { sealSecret, secretBoxKey } from "@costgate/secrets";

/**
 * The API refuses internal webhook targets, but a name can be pointed at one later (DNS
 * rebinding) and rows can predate the check: the worker checks every resolved address again
 * at delivery time and connects only to the address it checked.
 */
describe("webhook delivery refuses internal targets", () => {
  let api: TestApi;
  let server: http.Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    api = await TestApi.start();
    server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await api?.stop();
  });

  const deliveryTo = async (url: string) => {
    const teamId = await api.createTeam();
    const key = secretBoxKey(api.env.COSTGATE_SECRET_KEY);
    const webhook = await api.db.webhook.create({
      data: { teamId, url, secret: sealSecret(key, "a-signing-secret-0123"), events: ["alert.created"] },
    });
    const delivery = await api.db.webhookDelivery.create({
      data: {
        webhookId: webhook.id,
        event: "alert.created",
        eventKey: `k-${webhook.id}`,
        payload: { event: "alert.created" },
      },
    });
    return { key, deliveryId: delivery.id };
  };
  const deps = (key: Buffer, allowPrivateTargets: boolean) => ({
    db: api.db,
    logger: pino({ level: "silent" }),
    webhooks: { secretKey: key, timeoutMs: 2000, backoffBaseMs: 1000, allowPrivateTargets },
  });

  it.each([
    ["an address", () => `http://127.0.0.1:${port}/hook`],
    ["a name resolving to one", () => `http://localhost:${port}/hook`],
  ])("fails for good a delivery to %s, without connecting, and says why", async (_what, url) => {
    const { key, deliveryId } = await deliveryTo(url());
    const before = hits;
    await expect(deliverWebhook(deps(key, false), deliveryId, { attempt: 1, finalAttempt: false })).rejects.toThrow(
      /loopback address/,
    );
    expect(hits).toBe(before);
    const delivery = await api.db.webhookDelivery.findUniqueOrThrow({
      where: { id: deliveryId },
      include: { attemptsLog: true },
    });
    expect(delivery.status).toBe("FAILED");
    expect(delivery.attemptsLog.map((a) => [a.statusCode, a.error])).toEqual([
      [null, expect.stringMatching(/refused: .*loopback address/)],
    ]);
  });

  it("delivers to the same receiver when private targets are allowed", async () => {
    const { key, deliveryId } = await deliveryTo(`http://localhost:${port}/hook`);
    const before = hits;
    expect(await deliverWebhook(deps(key, true), deliveryId, { attempt: 1, finalAttempt: false })).toBe("SUCCEEDED");
    expect(hits).toBe(before + 1);
  });
});
