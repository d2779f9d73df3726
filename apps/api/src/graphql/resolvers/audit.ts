import type { Prisma } from "@costgate/db";
import { teamScope } from "@costgate/core";
import { caller } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { newestFirst, paginate } from "../pagination.ts";

export const auditResolvers = {
  Query: {
    auditEvents(_p, args, ctx) {
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
  AuditEvent: {
    actorName: (e, _a, ctx) => ctx.loaders.actorName.load(e.actor),
    entity: (e, _a, ctx) => ctx.loaders.auditEntity.load(`${e.entityType}:${e.entityId}`),
  },
} satisfies Resolvers;
