import { describeExcess, type SearchReport } from "@costgate/core";
import type { Prisma } from "@costgate/db";
import { costGate, emitJobFinished, promoteVersion, writeAudit } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";
import { summarizeJob, type JobSummary } from "./job-summary.ts";

type Outcome = { cancelled?: boolean; error?: string; search?: SearchReport };

/** Only a job still QUEUED or RUNNING is ended here: a status someone else set (CANCELLED by the API, say) is never overwritten. */
const OPEN: Prisma.OptimizationJobWhereInput = { status: { in: ["QUEUED", "RUNNING"] } };

class AlreadyEnded extends Error {}

/** Runs `write` in a transaction that is rolled back when the job was ended meanwhile; false then. */
async function whileOpen(
  db: WorkerDeps["db"],
  jobId: string,
  data: Prisma.OptimizationJobUncheckedUpdateManyInput,
  write: (tx: Prisma.TransactionClient) => Promise<unknown>,
): Promise<boolean> {
  try {
    await db.$transaction(async (tx) => {
      const { count } = await tx.optimizationJob.updateMany({ where: { id: jobId, ...OPEN }, data });
      if (count === 0) throw new AlreadyEnded();
      await write(tx);
    });
    return true;
  } catch (e) {
    if (e instanceof AlreadyEnded) return false;
    throw e;
  }
}

/**
 * Ends a job: SUCCEEDED with its bestVersion and a per-step result, CANCELLED (the versions
 * already made stay, marked as made by a cancelled job), or FAILED with a readable error.
 * The best candidate is the cheapest on the policy's hardware profile (this worker's profile
 * when the policy names none) within the accuracy guardrail; candidates outside it are
 * REJECTED with the reason. A step that saved no measured cost says so.
 */
export async function finishJob(deps: WorkerDeps, jobId: string, outcome: Outcome): Promise<void> {
  const { db } = deps;
  const job = await db.optimizationJob.findUniqueOrThrow({ where: { id: jobId }, include: { policy: true } });
  const candidates = await db.modelVersion.findMany({ where: { jobId }, select: { id: true } });
  const now = new Date();

  if (outcome.error || outcome.cancelled) {
    const data: Prisma.OptimizationJobUpdateManyMutationInput = outcome.cancelled
      ? {
          status: "CANCELLED",
          stage: isSearch(job.steps)
            ? `Cancelled during its search, after ${candidates.length} version(s) (kept)`
            : `Cancelled after ${candidates.length} of ${(job.steps as unknown[]).length} step(s)`,
          finishedAt: now,
        }
      : { status: "FAILED", error: outcome.error ?? null, stage: "Failed", finishedAt: now };
    const ended = await whileOpen(db, jobId, data, async (tx) => {
      if (outcome.cancelled && candidates.length) {
        await tx.modelVersion.updateMany({
          where: { jobId },
          data: { statusMessage: `Made by optimization job ${jobId}, which was cancelled` },
        });
      }
      await writeAudit(tx, {
        actor: "system",
        action: outcome.cancelled ? "job.cancelled" : "job.failed",
        entityType: "OptimizationJob",
        entityId: jobId,
        teamId: job.policy.teamId,
        after: { error: outcome.error ?? null },
      });
    });
    if (ended) await emitJobFinished(deps, jobId);
    return;
  }

  const summary = await summarizeJob(deps, job);
  if (!summary) {
    await finishJob(deps, jobId, {
      error:
        "The source version has no evaluation or cost measurement to compare candidates with (register an EVALUATION dataset, or an UNLABELED one to compare by agreement with the source)",
    });
    return;
  }
  const { rows, best } = summary;
  const result = { ...summary.result, ...(outcome.search ? { search: outcome.search } : {}) };
  const refused = best && job.policy.autoPromote ? await autoPromote(deps, best) : null;

  const succeeded = await whileOpen(
    db,
    jobId,
    {
      status: "SUCCEEDED",
      progress: 1,
      stage: refused ?? doneStage(summary, outcome.search),
      bestVersionId: best?.id ?? null,
      result: result as unknown as Prisma.InputJsonValue,
      finishedAt: now,
    },
    async (tx) => {
      for (const r of rows) {
        if (!r.verdict.ok)
          await tx.modelVersion.update({
            where: { id: r.id },
            data: { stage: "REJECTED", statusMessage: `Rejected by the accuracy guardrail: ${r.verdict.reason}` },
          });
      }
      await writeAudit(tx, {
        actor: "system",
        action: "job.succeeded",
        entityType: "OptimizationJob",
        entityId: jobId,
        teamId: job.policy.teamId,
        after: { bestVersionId: best?.id ?? null },
      });
    },
  );
  if (!succeeded) return;
  await emitJobFinished(deps, jobId);
}

/**
 * Promotes the job's best candidate through the same cost gate as a person's promotion, never
 * overridden. Runs before the job is ended, so that whoever reads SUCCEEDED (the dashboard, the
 * API, the job.finished webhook) sees the version in production, or why it is not: the job's
 * stage, returned here when the gate refused.
 */
async function autoPromote(deps: WorkerDeps, best: { id: string; number: number }): Promise<string | null> {
  try {
    await promoteVersion(
      { db: deps.db, producer: deps.producer, gate: costGate() },
      { actor: "system" },
      { versionId: best.id, stage: "PRODUCTION" },
    );
    return null;
  } catch (e) {
    return `Done, but auto-promotion of version ${best.number} was refused: ${(e as Error).message}`;
  }
}

const isSearch = (steps: Prisma.JsonValue) =>
  Array.isArray(steps) && (steps[0] as { kind?: string })?.kind === "SEARCH";

const percentOff = (relative: number | undefined) =>
  relative === undefined ? "" : ` (${relative >= 0 ? "−" : "+"}${Math.abs(Math.round(relative * 100))}%)`;

/** The job's last stage: what it proposes, or why nothing; a SEARCH adds its trials and why it stopped. */
function doneStage({ source, rows, best, bestEffort, noSaving, metric }: JobSummary, search?: SearchReport): string {
  const said = best
    ? `Done: best is version ${best.number} at $${best.costPerMillionUsd}/1M${percentOff(best.vsSource?.relative)}`
    : bestEffort
      ? `Done: best effort, guardrail missed by ${describeExcess(metric, bestEffort.excess)}: version ${bestEffort.number} at $${bestEffort.costPerMillionUsd}/1M${percentOff(bestEffort.vsSource?.relative)}`
      : noSaving
        ? `Done: no candidate saves measurable cost against version ${source.number} (differences within the measurement's 95% interval): nothing to propose`
        : rows.length === 0
          ? "Done: no candidate was made"
          : `Done: no candidate stayed within the accuracy guardrail, and none saves measurable cost against version ${source.number}: nothing to propose`;
  return search ? `${said} · ${search.trials} trial(s); ${search.stoppedBecause}` : said;
}
