import type { Db } from "@costgate/db";

/**
 * Where each QUEUED job stands in line, in the order asked (null for a job that is not QUEUED):
 * 1 + the QUEUED jobs created before it, of every team, since every worker takes jobs from the
 * one `optimize` queue in the order they were enqueued (ties by id). One statement for any
 * number of jobs.
 */
export async function queuePositions(db: Db, jobIds: readonly string[]): Promise<(number | null)[]> {
  const rows = await db.$queryRaw<{ id: string; position: number }[]>`
    SELECT j.id,
           1 + (SELECT count(*)::int FROM optimization_jobs q
                WHERE q.status = 'QUEUED' AND (q.created_at, q.id) < (j.created_at, j.id)) AS position
    FROM optimization_jobs j
    WHERE j.id = ANY(${[...jobIds]}::text[]) AND j.status = 'QUEUED'`;
  const byId = new Map(rows.map((r) => [r.id, r.position]));
  return jobIds.map((id) => byId.get(id) ?? null);
}
