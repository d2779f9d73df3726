import { SignJWT, jwtVerify, errors } from "jose";

const ISSUER = "costgate";
const AUDIENCE = "costgate-api";

export interface SessionClaims {
  userId: string;
  /** The Session row the token stands for (jti); a revoked row ends the token. */
  sessionId: string;
  /** When the token stops being accepted. */
  expiresAt: Date;
}

/** Signed (HS256), expiring session tokens. The session and user rows are re-read on every request. */
export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** When a token issued now stops being accepted. */
  expiresAt(now = new Date()): Date {
    return new Date((Math.floor(now.getTime() / 1000) + this.ttlSeconds) * 1000);
  }

  async issue(userId: string, sessionId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(userId)
      .setJti(sessionId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims of a valid token; null when it is malformed, forged or expired. */
  async verify(token: string): Promise<SessionClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256"],
      });
      return payload.sub && payload.jti && payload.exp
        ? { userId: payload.sub, sessionId: payload.jti, expiresAt: new Date(payload.exp * 1000) }
        : null;
    } catch (e) {
      if (e instanceof errors.JOSEError) return null;
      throw e;
    }
  }
}

export const looksLikeJwt = (token: string): boolean => token.split(".").length === 3;
