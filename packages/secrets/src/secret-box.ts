import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Secrets Costgate must be able to use again (webhook signing keys) are stored encrypted with
 * AES-256-GCM, never hashed and never in plaintext. The 32-byte key is the SHA-256 of
 * COSTGATE_SECRET_KEY. Sealed form: `v1.<iv>.<tag>.<ciphertext>`, each part base64url; the
 * GCM tag makes a tampered value or a wrong key fail to open instead of yielding garbage.
 */
const VERSION = "v1";

/** The AES-256 key derived from the configured secret key string. */
export const secretBoxKey = (secretKey: string): Buffer => createHash("sha256").update(secretKey, "utf8").digest();

export function sealSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function openSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined)
    throw new Error("not a sealed secret (expected v1.<iv>.<tag>.<ciphertext>)");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("the sealed secret does not open with this key (COSTGATE_SECRET_KEY changed?) or was altered");
  }
}
