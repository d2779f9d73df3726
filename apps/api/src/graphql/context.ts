import { AppError, ErrorCode, assertCan, type MutationName, type Principal } from "@costgate/core";
import type { ArtifactStore } from "@costgate/artifacts";
import type { Db } from "@costgate/db";
import type { ArchiveLimits } from "@costgate/formats";
import type { Producer } from "@costgate/queue";
import type { TargetPolicy } from "@costgate/services";
import type { AuthCache } from "../auth/auth-cache.ts";
import type { LoginThrottle } from "../auth/login-throttle.ts";
import type { SessionTokens } from "../auth/session-token.ts";
import type { Logger } from "../logger.ts";
import type { Loaders } from "./loaders.ts";

interface Services {
  db: Db;
  producer: Producer;
  sessions: SessionTokens;
  throttle: LoginThrottle;
  /** Verified tokens; whatever ends a session or a key calls its revoked(). */
  authCache: AuthCache;
  logger: Logger;
  /** The clock: real time, except in tests that set it through the harness (budget periods, usage dates). */
  now: () => Date;
  /** AES-256-GCM key for secrets stored encrypted (webhook secrets), from COSTGATE_SECRET_KEY. */
  secretKey: Buffer;
  /** Which webhook URLs are allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  webhookTargets: TargetPolicy;
  /** The artifact store: registering an image dataset reads its archive and writes the decoded images. */
  store: ArtifactStore;
  /** The limits image archives are read with (the upload's). */
  imageLimits: ArchiveLimits;
  /** Bytes of artifacts one team may hold (UPLOAD_TEAM_QUOTA_BYTES): decoded images count too. */
  teamQuotaBytes: number;
}

export interface Context extends Services {
  principal: Principal | null;
  ip: string;
  /** Batched lookups for nested fields, fresh per request. */
  loaders: Loaders;
}

/** Every query needs a caller. */
export function caller(ctx: Context): Principal {
  if (!ctx.principal)
    throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first: send Authorization: Bearer <token or API key>");
  return ctx.principal;
}

type Resolver<A, R> = (parent: unknown, args: A, ctx: Context) => Promise<R>;

/** Wraps a mutation resolver with its row of the permission table. */
export function mutation<A, R>(
  name: MutationName,
  fn: (args: A, ctx: Context, principal: Principal) => Promise<R>,
): Resolver<A, R> {
  return async (_parent, args, ctx) => {
    assertCan(ctx.principal, name);
    try {
      return await fn(args, ctx, ctx.principal!);
    } finally {
      ctx.loaders.clear();
    }
  };
}
