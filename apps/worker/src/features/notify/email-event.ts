import { describeEvent, eventLink } from "@costgate/core";
import type { WorkerDeps } from "../../deps.ts";
import { mailTeam, type MailOutcome } from "./mail-team.ts";

/**
 * E-mails an event (its payload as webhooks get it) to the team's FINANCE and ADMIN users, in the
 * words core's describeEvent writes for every human channel, with a link to the dashboard when
 * DASHBOARD_URL is set. Once per event: the notify job's id is the event's key.
 */
export async function emailEvent(
  deps: Pick<WorkerDeps, "db" | "logger" | "mail">,
  job: { event: string; teamId: string; data: unknown },
): Promise<MailOutcome> {
  const text = describeEvent(job.event, job.data);
  const link = eventLink(text, deps.mail.dashboardUrl);
  return mailTeam(deps, job.teamId, {
    subject: `[Costgate] ${text.title}`,
    text: [
      ...text.lines,
      ...(link ? ["", `Open in Costgate: ${link}`] : []),
      "",
      "You get this as a FINANCE or ADMIN user of the team.",
    ].join("\n"),
  });
}
