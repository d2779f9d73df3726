import { AppError, ErrorCode, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { AuthCache } from "./auth-cache.ts";
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
export function createAuthenticator(db: Db, sessions: SessionTokens, cache?: AuthCache): Authenticator {
  const verify = verifier(db, sessions);
  return async (authorization) => {
    if (!authorization) return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw unauthenticated("Authorization header must be `Bearer <token>`");
    const token = m[1]!;
    const cached = cache?.get(token);
    if (cached) return cached;
    const generation = cache?.generation ?? 0;
    const { principal, expiresAt } = await verify(token);
    cache?.set(token, principal, expiresAt, generation);
    return principal;
  };
}

/** Looks the token up: the principal, and when the token or key stops being accepted. */
function verifier(db: Db, sessions: SessionTokens) {
  return async (token: string): Promise<{ principal: Principal; expiresAt: Date | null }> => {
    if (looksLikeJwt(token)) {
      const claims = await sessions.verify(token);
      if (!claims) throw unauthenticated("Session token is invalid or expired: log in again");
      const session = await db.session.findUnique({ where: { id: claims.sessionId }, include: { user: true } });
      if (!session || session.userId !== claims.userId)
        throw unauthenticated("The user of this session no longer exists");
      if (session.revokedAt)
        throw unauthenticated("This session was ended (logout, password change or an ADMIN): log in again");
      if (session.user.deactivatedAt) throw unauthenticated("This account is deactivated: ask an admin");
      const { user } = session;
      return {
        principal: {
          kind: "user",
          id: user.id,
          role: user.role,
          teamId: user.teamId,
          actor: `user:${user.id}`,
          sessionId: session.id,
        },
        expiresAt: claims.expiresAt,
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
      principal: {
        kind: "apikey",
        id: key.id,
        role: key.role,
        teamId: key.teamId,
        actor: `apikey:${key.id}`,
        expiresAt: key.expiresAt,
      },
      expiresAt: key.expiresAt,
    };
  };
}

const unauthenticated = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message);
