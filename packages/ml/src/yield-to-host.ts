/**
 * Long computations here are chains of awaits on resolved promises, which never let Node's
 * event loop turn: the host's timers and I/O (a worker's job-lock renewal, progress writes,
 * cancellation polls, an HTTP server in the same process) would wait until the loop ends.
 * A yielder returns to the event loop at most every `everyMs` of computation.
 *
 * A process that runs TensorFlow work for a host (the worker's TensorFlow child) can also set
 * a compute gate: every yielder awaits it, so training and evaluation pause at their next batch
 * while the gate is closed (e.g. while a cost measurement needs the machine to itself).
 */
let computeGate: (() => Promise<void>) | null = null;

/** Sets (or clears, with null) the gate every yielder of this process awaits. */
export function setComputeGate(gate: (() => Promise<void>) | null): void {
  computeGate = gate;
}

export function createYielder(everyMs = 25): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (computeGate) await computeGate();
    last = performance.now();
  };
}
