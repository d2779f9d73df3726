import { AppError, ErrorCode, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { apiKeyMatches, parseApiKey } from "./api-keys.ts";
import { looksLikeJwt, type SessionTokens } from "./session-token.ts";

/** lastUsedAt is written at most this often per key, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type Authenticator = (authorization: string | undefined) => Promise<Principal | null>;

/**
 * Resolves `Authorization: Bearer <session token | API key>` to the caller.
 * No header: null (anonymous; only `login` accepts that). A header that is present but
 * invalid, expired or revoked: UNAUTHENTICATED, so a client never mistakes it for anonymity.
 */
export function createAuthenticator(db: Db, sessions: SessionTokens): Authenticator {
  return async (authorization) => {
    if (!authorization) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw unauthenticated("Authorization header must be `Bearer <token>`");
    const token = m[1]!;

    if (looksLikeJwt(token)) {
      const claims = await sessions.verify(token);
      if (!claims) throw unauthenticated("Session token is invalid or expired: log in again");
      const session = await db.session.findUnique({ where: { id: claims.sessionId }, include: { user: true } });
      if (!session || session.userId !== claims.userId)
        throw unauthenticated("The user of this session no longer exists");
      if (session.revokedAt)
        throw unauthenticated("This session was ended (logout, password change or an ADMIN): log in again");
      const { user } = session;
      return {
        kind: "user",
        id: user.id,
        role: user.role,
        teamId: user.teamId,
        actor: `user:${user.id}`,
        sessionId: session.id,
      };
    }

    const parsed = parseApiKey(token);
    if (!parsed) throw unauthenticated("Bearer token is neither a session token nor a Costgate API key");
    const key = await db.apiKey.findUnique({ where: { prefix: parsed.prefix } });
    if (!key || !apiKeyMatches(token, key.secretHash)) throw unauthenticated("API key is not valid");
    if (key.revokedAt) throw unauthenticated(`API key ${key.prefix} was revoked at ${key.revokedAt.toISOString()}`);
    const now = new Date();
    if (key.expiresAt && key.expiresAt <= now)
      throw unauthenticated(`API key ${key.prefix} expired at ${key.expiresAt.toISOString()}`);
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
    }
    return {
      kind: "apikey",
      id: key.id,
      role: key.role,
      teamId: key.teamId,
      actor: `apikey:${key.id}`,
      expiresAt: key.expiresAt,
    };
  };
}

const unauthenticated = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message);
