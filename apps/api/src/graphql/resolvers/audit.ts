import type { Prisma } from "@costgate/db";
import { teamScope } from "@costgate/core";
import { caller, type Context } from "../context.ts";
import { newestFirst, paginate } from "../pagination.ts";

interface AuditArgs {
  entityType?: string | null;
  entityId?: string | null;
  actor?: string | null;
  action?: string | null;
  first?: number;
  after?: string | null;
}

export const auditResolvers = {
  Query: {
    auditEvents(_p: unknown, args: AuditArgs, ctx: Context) {
      const scope = teamScope(caller(ctx));
      const where: Prisma.AuditEventWhereInput = {
        ...(scope ? { teamId: scope } : {}),
        ...(args.entityType ? { entityType: args.entityType } : {}),
        ...(args.entityId ? { entityId: args.entityId } : {}),
        ...(args.actor ? { actor: args.actor } : {}),
        ...(args.action ? { action: args.action } : {}),
      };
      return paginate(
        args,
        (page) => ctx.db.auditEvent.findMany({ where, orderBy: newestFirst, ...page }),
        () => ctx.db.auditEvent.count({ where }),
        50,
      );
    },
  },
} satisfies Record<string, Record<string, unknown>>;
