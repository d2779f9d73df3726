import type { Db } from "@costgate/db";

/**
 * The names people read for audit actors, in the order asked: a user's name, an API key's name
 * ("API key serving-gateway"), "Costgate" for the system itself; an actor whose row is gone keeps
 * its kind ("deleted user", "deleted API key"). Two statements for any number of actors.
 */
export async function actorNames(db: Db, actors: string[]): Promise<string[]> {
  const ids = (prefix: string) =>
    actors.filter((a) => a.startsWith(`${prefix}:`)).map((a) => a.slice(prefix.length + 1));
  const [users, keys] = await Promise.all([
    db.user.findMany({ where: { id: { in: ids("user") } }, select: { id: true, name: true, email: true } }),
    db.apiKey.findMany({ where: { id: { in: ids("apikey") } }, select: { id: true, name: true } }),
  ]);
  const userName = new Map(users.map((u) => [u.id, u.name || u.email]));
  const keyName = new Map(keys.map((k) => [k.id, k.name]));
  return actors.map((actor) => {
    const [kind, id = ""] = actor.split(/:(.*)/s, 2);
    if (kind === "user") return userName.get(id) ?? "deleted user";
    if (kind === "apikey") return keyName.has(id) ? `API key ${keyName.get(id)}` : "deleted API key";
    if (actor === "system") return "Costgate";
    return actor;
  });
}
