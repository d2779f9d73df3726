import { teamScope, visibleOrNull } from "@costgate/core";
import { caller, mutation, type Context } from "../context.ts";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { paginate, newestFirst } from "../pagination.ts";
import { login } from "../../features/identity/login.ts";
import { createUser } from "../../features/identity/create-user.ts";
import { updateUser } from "../../features/identity/update-user.ts";
import { createTeam } from "../../features/identity/create-team.ts";
import { createApiKey, revokeApiKey } from "../../features/identity/api-keys.ts";
import { changePassword, logout, revokeUserSessions } from "../../features/identity/sessions.ts";

const teamOf = (parent: { teamId: string | null }, _a: unknown, ctx: Context) =>
  parent.teamId ? ctx.loaders.team.load(parent.teamId) : null;

export const identityResolvers = {
  Query: {
    async me(_p, _a, ctx) {
      const principal = caller(ctx);
      if (principal.kind === "user") return ctx.db.user.findUniqueOrThrow({ where: { id: principal.id } });
      // An API key acts as a user-like principal of its own.
      const key = await ctx.db.apiKey.findUniqueOrThrow({ where: { id: principal.id } });
      return {
        id: key.id,
        email: `apikey+${key.prefix}@costgate.local`,
        name: key.name,
        role: key.role,
        teamId: key.teamId,
      };
    },
    teams(_p, _a, ctx) {
      const principal = caller(ctx);
      if (principal.role === "ADMIN") return ctx.db.team.findMany({ orderBy: { name: "asc" } });
      return principal.teamId ? ctx.db.team.findMany({ where: { id: principal.teamId } }) : [];
    },
    async team(_p, { id }, ctx) {
      const principal = caller(ctx);
      const team = await ctx.db.team.findUnique({ where: { id } });
      return visibleOrNull(principal, team, (t) => t.id);
    },
    users(_p, { teamId }, ctx) {
      const scope = teamScope(caller(ctx), teamId);
      return ctx.db.user.findMany({ where: scope ? { teamId: scope } : {}, orderBy: { email: "asc" } });
    },
    apiKeys(_p, args, ctx) {
      const scope = teamScope(caller(ctx), args.teamId);
      return ctx.db.apiKey.findMany({
        where: { ...(scope ? { teamId: scope } : {}), ...(args.includeRevoked ? {} : { revokedAt: null }) },
        orderBy: newestFirst,
      });
    },
  },
  Mutation: {
    login: (_p, args, ctx) => login({ db: ctx.db, sessions: ctx.sessions, throttle: ctx.throttle }, args, ctx.ip),
    createUser: mutation("createUser", (a, ctx, p) => createUser(ctx.db, p, a.input)),
    updateUser: mutation("updateUser", async (a, ctx, p) => {
      const { user, sessionsChanged } = await updateUser(ctx.db, p, a.id, a.input);
      // Deactivated, or another role or team: every API process forgets the tokens it had verified.
      if (sessionsChanged) await ctx.authCache.revoked();
      return user;
    }),
    createTeam: mutation("createTeam", (a, ctx, p) => createTeam(ctx.db, p, a.input)),
    createApiKey: mutation("createApiKey", (a, ctx, p) => createApiKey(ctx.db, p, a.input)),
    // Each ends sessions or keys: every API process forgets the tokens it had verified.
    revokeApiKey: mutation("revokeApiKey", (a, ctx, p) => revoking(ctx, revokeApiKey(ctx.db, p, a.id))),
    logout: mutation("logout", (_a, ctx, p) => revoking(ctx, logout(ctx.db, p))),
    revokeUserSessions: mutation("revokeUserSessions", (a, ctx, p) =>
      revoking(ctx, revokeUserSessions(ctx.db, p, a.userId)),
    ),
    changePassword: mutation("changePassword", (a, ctx, p) => revoking(ctx, changePassword(ctx.db, p, a))),
  },
  User: { team: teamOf },
  ApiKey: { team: teamOf },
  Team: {
    models: (team, args, ctx) =>
      paginate(
        args,
        (page) => ctx.db.model.findMany({ where: { teamId: team.id }, orderBy: newestFirst, ...page }),
        () => ctx.db.model.count({ where: { teamId: team.id } }),
      ),
  },
} satisfies Resolvers;

/** Runs what ends sessions or keys, then tells every API process to forget the tokens it verified. */
async function revoking<T>(ctx: Context, work: Promise<T>): Promise<T> {
  const result = await work;
  await ctx.authCache.revoked();
  return result;
}
