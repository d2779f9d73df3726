import type { WorkerDeps } from "../../deps.ts";

/** Who gets a team's e-mail: its FINANCE and ADMIN users (an ADMIN of no team gets none). */
async function teamRecipients(db: WorkerDeps["db"], teamId: string) {
  return db.user.findMany({
    where: { teamId, role: { in: ["FINANCE", "ADMIN"] } },
    select: { email: true, name: true },
    orderBy: { email: "asc" },
  });
}

export type MailOutcome = { sent: number; messageId: string } | { skipped: "no SMTP_URL" | "no recipients" };

/**
 * The one way Costgate e-mails a team: one message to its FINANCE and ADMIN users through
 * SMTP_URL. Nothing is sent (and that is the answer) when SMTP is not configured or the team has
 * no such user. A refusal by the SMTP server throws, so the queue retries with backoff.
 */
export async function mailTeam(
  deps: Pick<WorkerDeps, "db" | "logger" | "mail">,
  teamId: string,
  message: { subject: string; text: string },
): Promise<MailOutcome> {
  const { transport, from } = deps.mail;
  if (!transport) return { skipped: "no SMTP_URL" };
  const to = await teamRecipients(deps.db, teamId);
  if (!to.length) return { skipped: "no recipients" };
  const info = (await transport.sendMail({
    from,
    to: to.map((u) => ({ name: u.name, address: u.email })),
    subject: message.subject,
    text: message.text,
  })) as { messageId: string };
  deps.logger.info({ teamId, recipients: to.length, subject: message.subject }, "e-mail sent");
  return { sent: to.length, messageId: info.messageId };
}
