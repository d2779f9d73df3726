import type { Db } from "@costgate/db";

/**
 * Writes a running job's progress (0..1) and stage in words, at most every `intervalMs`
 * (the last value always lands on flush), and watches the job row for a cancellation
 * request, turning it into an AbortSignal that steps check between batches.
 */
export class JobProgress {
  readonly abort = new AbortController();
  private pending: { progress: number; stage: string } | null = null;
  private lastWrite = 0;
  private writing: Promise<unknown> = Promise.resolve();
  private readonly poll: NodeJS.Timeout;

  /**
   * @param shutdown aborts when the worker is stopping: the job then stops at the next batch or
   *   step boundary like a cancellation, but is handed back to the queue rather than ended.
   */
  constructor(
    private readonly db: Db,
    private readonly jobId: string,
    private readonly shutdown?: AbortSignal,
    private readonly intervalMs = 500,
    pollMs = 1000,
  ) {
    this.poll = setInterval(() => void this.checkCancel(), pollMs);
    this.poll.unref();
    if (shutdown?.aborted) this.abort.abort();
    else shutdown?.addEventListener("abort", () => this.abort.abort(), { once: true });
  }

  /** Stopped because the worker shuts down, and nobody asked to cancel the job: hand it back. */
  get handingBack(): boolean {
    return this.shutdown?.aborted === true && !this.cancelSeen;
  }

  private cancelSeen = false;

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** The progress last reported (0 before any). */
  current = 0;

  report(progress: number, stage: string): void {
    this.current = Math.min(1, Math.max(0, progress));
    this.pending = { progress: this.current, stage };
    if (Date.now() - this.lastWrite >= this.intervalMs) void this.flush();
  }

  async flush(): Promise<void> {
    const next = this.pending;
    this.pending = null;
    if (!next) return this.writing.then(() => undefined);
    this.lastWrite = Date.now();
    this.writing = this.writing
      .then(() => this.db.optimizationJob.updateMany({ where: { id: this.jobId, status: "RUNNING" }, data: next }))
      .catch(() => undefined);
    await this.writing;
  }

  async checkCancel(): Promise<boolean> {
    if (this.cancelSeen) return true;
    const row = await this.db.optimizationJob
      .findUnique({ where: { id: this.jobId }, select: { cancelRequested: true, status: true } })
      .catch(() => null);
    if (row && (row.cancelRequested || row.status === "CANCELLED")) {
      this.cancelSeen = true;
      this.abort.abort();
    }
    return this.abort.signal.aborted;
  }

  async stop(): Promise<void> {
    clearInterval(this.poll);
    await this.flush();
  }
}
