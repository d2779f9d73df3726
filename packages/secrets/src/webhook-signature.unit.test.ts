import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, webhookSignatureProblem } from "./webhook-signature.ts";

describe("webhook signature", () => {
  const secret = "whsec-0123456789abcdef";
  const body = JSON.stringify({ event: "alert.created", data: { amount: "100.000000" } });

  it("is t=<ts>,v1=<hex HMAC-SHA256 of `${ts}.${body}`>", () => {
    const expected = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(signWebhook(secret, 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it("verifies within the tolerance and refuses old timestamps, other bodies and other secrets", () => {
    const header = signWebhook(secret, 1700000000, body);
    expect(webhookSignatureProblem(secret, header, body, 1700000100)).toBeNull();
    expect(webhookSignatureProblem(secret, header, body, 1700000000 + 301)).toMatch(/tolerance/);
    expect(webhookSignatureProblem(secret, header, body + " ", 1700000000)).toMatch(/does not match/);
    expect(webhookSignatureProblem("another-secret-value", header, body, 1700000000)).toMatch(/does not match/);
    expect(webhookSignatureProblem(secret, undefined, body)).toMatch(/no Costgate-Signature/);
    expect(webhookSignatureProblem(secret, "v1=abc", body)).toMatch(/malformed/);
  });

  it("refuses a delivery replayed under a new Costgate-Delivery id: the id is inside the signed body", () => {
    const signedBody = JSON.stringify({ deliveryId: "d-1", event: "alert.created", data: {} });
    const header = signWebhook(secret, 1700000000, signedBody);
    expect(webhookSignatureProblem(secret, header, signedBody, 1700000000, undefined, "d-1")).toBeNull();
    expect(webhookSignatureProblem(secret, header, signedBody, 1700000000, undefined, "d-2")).toMatch(
      /Costgate-Delivery d-2 is not the signed deliveryId d-1/,
    );
    expect(webhookSignatureProblem(secret, header, signedBody, 1700000000, undefined, undefined)).toBeNull();
  });
});
