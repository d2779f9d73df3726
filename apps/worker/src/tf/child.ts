/**
 * The worker's TensorFlow child process: every TensorFlow.js computation of a worker runs here,
 * off the worker's event loop, so the worker keeps renewing job locks, writing progress and
 * polling for cancellation while a model trains or is measured. Started by tf-host.ts with an
 * IPC channel; it ends when the channel closes (the worker exited, even by kill -9).
 */
import { backendHeapBytes, initBackend, isBackendMemoryFailure, isMlError, setComputeGate } from "@costgate/ml";
import { handlers, MissingDataset } from "./ops.ts";
import type { FromChild, OpName, ToChild, WireError } from "./protocol.ts";

const send = (message: FromChild) => process.send?.(message);

// The worker decides when this process stops (a Ctrl-C reaches the whole process group).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => undefined);
process.on("disconnect", () => process.exit(0));

/** The compute gate: closed while the worker holds it paused (a measurement needs the machine). */
let pauses = 0;
let reopen: (() => void) | null = null;
let reopened: Promise<void> | null = null;
let running = 0;
let atGate = 0;

function ackIfPaused(): void {
  if (pauses > 0 && atGate >= running) send({ type: "paused" });
}

setComputeGate(async () => {
  if (pauses === 0) return;
  atGate++;
  ackIfPaused();
  try {
    while (pauses > 0) await reopened;
  } finally {
    atGate--;
  }
});

function setPaused(paused: boolean): void {
  if (paused) {
    pauses++;
    if (pauses === 1) reopened = new Promise<void>((resolve) => (reopen = resolve));
    ackIfPaused();
  } else if (pauses > 0) {
    pauses--;
    if (pauses === 0) {
      reopen?.();
      reopen = null;
    }
  }
}

const aborts = new Map<number, AbortController>();

async function call(id: number, op: OpName, args: unknown): Promise<void> {
  const abort = new AbortController();
  aborts.set(id, abort);
  running++;
  try {
    const handler = handlers[op] as (
      a: unknown,
      ctx: { signal: AbortSignal; progress: (f: number, s: string) => void },
    ) => Promise<unknown>;
    const result = await handler(args, {
      signal: abort.signal,
      progress: (fraction, stage) => send({ type: "progress", id, fraction, stage }),
    });
    send({ type: "result", id, result });
  } catch (e) {
    const error: WireError = { message: e instanceof Error ? e.message : String(e) };
    // Out of backend memory, the message often reads as a bad model ("could not be loaded ...:
    // memory access out of bounds"): it is this process's heap, not the model.
    if (isBackendMemoryFailure(error.message)) error.memory = true;
    else if (isMlError(e)) error.mlCode = e.code;
    else if (e instanceof MissingDataset) error.mlCode = "BAD_DATASET";
    if (abort.signal.aborted) error.aborted = true;
    send({ type: "error", id, error });
  } finally {
    running--;
    aborts.delete(id);
    ackIfPaused();
    if (running === 0) send({ type: "memory", heapBytes: backendHeapBytes() });
  }
}

// COSTGATE_TF_BACKEND, as the worker passed it, picks the backend.
const ready: Promise<string> = initBackend();

process.on("message", (message: ToChild) => {
  switch (message.type) {
    case "call":
      void ready.then(() => call(message.id, message.op, message.args));
      break;
    case "abort":
      aborts.get(message.id)?.abort();
      break;
    case "pause":
      setPaused(true);
      break;
    case "resume":
      setPaused(false);
      break;
    case "exit":
      process.exit(0);
  }
});

ready.then(
  (name) => send({ type: "ready", backend: name }),
  (e: unknown) => {
    console.error(`TensorFlow.js could not start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(70);
  },
);
