import { assertTeamAccess, badInput, notFound, teamScope, type Principal } from "@costgate/core";
import type { Db, SpendExport } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { writeAudit } from "@costgate/services";
import { daysStartingIn } from "../usage/spend-series.ts";

/** Longest range one export covers (a year and a bit: a yearly chargeback with slack). */
const MAX_EXPORT_DAYS = 400;

export interface SpendExportInput {
  teamId?: string | null;
  from: Date;
  to: Date;
  format: "CSV" | "FOCUS";
}

/**
 * createSpendExport: FINANCE or ADMIN (checked by the mutation wrapper), of the caller's team (a
 * non-admin's own when teamId is omitted; an admin without teamId: every team). Records the export
 * QUEUED, audited, and enqueues the worker's `exports` job, which writes the file.
 */
export async function createSpendExport(
  deps: { db: Db; producer: Producer },
  principal: Principal,
  input: SpendExportInput,
): Promise<SpendExport> {
  const { firstDay, lastDay } = daysStartingIn(input.from, input.to);
  const days = (Date.parse(lastDay) - Date.parse(firstDay)) / 86_400_000 + 1;
  if (days > MAX_EXPORT_DAYS)
    throw badInput(`from..to spans ${days} days; an export covers at most ${MAX_EXPORT_DAYS}: split it`, {
      field: "to",
    });
  if (input.teamId) {
    assertTeamAccess(principal, input.teamId);
    if (!(await deps.db.team.findUnique({ where: { id: input.teamId }, select: { id: true } })))
      throw notFound("Team", input.teamId);
  }
  const teamId = input.teamId ?? teamScope(principal) ?? null;
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.spendExport.create({
      data: { teamId, format: input.format, fromAt: input.from, toAt: input.to, createdBy: principal.actor },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "spendExport.create",
      entityType: "SpendExport",
      entityId: created.id,
      teamId,
      after: created,
    });
    return created;
  });
  await deps.producer.spendExport(row.id);
  return row;
}

/** An export the caller may see (its team's; an admin: any), else null. */
export async function findSpendExport(db: Db, principal: Principal, id: string): Promise<SpendExport | null> {
  const row = await db.spendExport.findUnique({ where: { id } });
  if (!row) return null;
  if (principal.role === "ADMIN") return row;
  return row.teamId !== null && row.teamId === principal.teamId ? row : null;
}

/** A team's monthly chargeback export setting: on or off, in which format (FINANCE/ADMIN of the team). */
export async function setSpendExportSchedule(
  db: Db,
  principal: Principal,
  input: { teamId: string; format: "CSV" | "FOCUS"; enabled: boolean },
) {
  assertTeamAccess(principal, input.teamId);
  if (!(await db.team.findUnique({ where: { id: input.teamId }, select: { id: true } })))
    throw notFound("Team", input.teamId);
  return db.$transaction(async (tx) => {
    const before = await tx.spendExportSchedule.findUnique({ where: { teamId: input.teamId } });
    const after = await tx.spendExportSchedule.upsert({
      where: { teamId: input.teamId },
      create: { teamId: input.teamId, format: input.format, enabled: input.enabled, createdBy: principal.actor },
      update: { format: input.format, enabled: input.enabled },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "spendExportSchedule.set",
      entityType: "Team",
      entityId: input.teamId,
      teamId: input.teamId,
      before,
      after,
    });
    return after;
  });
}
