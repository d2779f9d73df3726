import type { Role } from "./roles.ts";

/** Who is calling: a logged-in user (session token) or an API key. */
export interface Principal {
  kind: "user" | "apikey";
  id: string;
  role: Role;
  /** Non-admins act within their own team; null for an admin without a team. */
  teamId: string | null;
  /** user:<id> or apikey:<id>, as written to the audit log. */
  actor: string;
  /** The session of a user's token (absent for API keys). */
  sessionId?: string;
  /** When an API key expires (absent for sessions and keys without expiry). */
  expiresAt?: Date | null;
}
