import { describe, expect, it } from "vitest";
import { openSecret, sealSecret, secretBoxKey } from "./secret-box.ts";

describe("secret box (AES-256-GCM)", () => {
  const key = secretBoxKey("a-test-secret-key-of-at-least-32-characters");

  it("opens what it sealed, and the sealed form does not contain the secret", () => {
    const sealed = sealSecret(key, "whsec-0123456789abcdef");
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("whsec");
    expect(openSecret(key, sealed)).toBe("whsec-0123456789abcdef");
  });

  it("seals the same secret differently each time (random IV)", () => {
    expect(sealSecret(key, "same-secret-value!")).not.toBe(sealSecret(key, "same-secret-value!"));
  });

  it("refuses another key and an altered value", () => {
    const sealed = sealSecret(key, "whsec-0123456789abcdef");
    expect(() => openSecret(secretBoxKey("another-key-another-key-another-key"), sealed)).toThrow(/does not open/);
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openSecret(key, [...parts.slice(0, 3), flipped.toString("base64url")].join("."))).toThrow(
      /does not open/,
    );
    expect(() => openSecret(key, "plaintext-secret")).toThrow(/not a sealed secret/);
  });
});
