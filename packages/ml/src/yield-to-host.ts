/**
 * Long computations here are chains of awaits on resolved promises, which never let Node's
 * event loop turn: the host's timers and I/O (a worker's job-lock renewal, progress writes,
 * cancellation polls, an HTTP server in the same process) would wait until the loop ends.
 * A yielder returns to the event loop at most every `everyMs` of computation.
 */
export function createYielder(everyMs = 25): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}
