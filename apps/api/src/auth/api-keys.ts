import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API key secrets look like `cg_<prefix>_<secret>`. The prefix (public, unique) finds the row;
 * only the sha256 of the whole key is stored. A 256-bit random secret needs no slow hash
 * (argon2 is for guessable passwords), so checking a key costs one indexed lookup.
 */
const KEY_RE = /^cg_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { prefix: string; secret: string; secretHash: string } {
  const prefix = randomBytes(9)
    .toString("base64url")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0")
    .slice(0, 12);
  const secret = `cg_${prefix}_${randomBytes(32).toString("base64url")}`;
  return { prefix, secret, secretHash: hashApiKey(secret) };
}

const hashApiKey = (secret: string): string => createHash("sha256").update(secret).digest("hex");

export function parseApiKey(secret: string): { prefix: string } | null {
  const m = KEY_RE.exec(secret);
  return m ? { prefix: m[1]! } : null;
}

export function apiKeyMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
