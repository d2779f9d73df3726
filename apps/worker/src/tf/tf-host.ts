import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MlError } from "@costgate/ml";
import type { Logger } from "pino";
import type { FromChild, OpName, Ops, ToChild, WireError } from "./protocol.ts";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

/** The TensorFlow child process died while it worked on a call: out of memory, a crash, a kill. */
export class TfProcessDied extends Error {
  constructor(op: string, code: number | null, signal: NodeJS.Signals | null, stderrTail: string) {
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    const oom =
      /heap out of memory|Aborted\(OOM\)|Cannot allocate memory|RangeError: Array buffer allocation failed/i.test(
        stderrTail,
      ) || signal === "SIGKILL";
    super(
      `The TensorFlow process ${how} while running ${op}` +
        (oom
          ? ": most likely it ran out of memory. Give the worker more memory, or use a smaller model, batch size or dataset"
          : ": the model may use a layer or size the TensorFlow.js backend cannot run") +
        (stderrTail ? ` (last output: ${stderrTail.slice(-300)})` : ""),
    );
    this.name = "TfProcessDied";
  }
}

/** A call's error as thrown in the child. */
export class TfCallError extends Error {
  readonly aborted: boolean;
  constructor(error: WireError) {
    super(error.message);
    this.name = "TfCallError";
    this.aborted = error.aborted === true;
  }
}

interface Pending {
  op: OpName;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (fraction: number, stage: string) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, stage: string) => void;
}

/**
 * One TensorFlow child process (child.ts), started on first use and again after it died. Calls
 * may overlap; each can be aborted (the step stops at its next batch) and its progress is
 * forwarded. pause()/resume() close and open the child's compute gate.
 */
export class TfHost {
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private pauses = 0;
  private pausedWaiters: (() => void)[] = [];
  private stderrTail = "";
  private closed = false;

  constructor(private readonly opts: { backend?: string; logger: Logger; name: string; maxOldSpaceMb?: number }) {}

  /** The child's pid while it runs (tests kill it to show a job survives its death). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  call<O extends OpName>(op: O, args: Ops[O]["args"], options: CallOptions = {}): Promise<Ops[O]["result"]> {
    if (this.closed) return Promise.reject(new Error("the worker is shutting down"));
    const child = this.ensureChild();
    const id = this.nextId++;
    return new Promise<Ops[O]["result"]>((resolve, reject) => {
      const onAbort = () => this.send({ type: "abort", id });
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        op,
        onProgress: options.onProgress,
        resolve: (v) => {
          options.signal?.removeEventListener("abort", onAbort);
          resolve(v as Ops[O]["result"]);
        },
        reject: (e) => {
          options.signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      });
      this.send({ type: "call", id, op, args }, child);
      if (options.signal?.aborted) onAbort();
    });
  }

  /** Closes the compute gate; resolves once every computation of the child waits at it. */
  pause(): Promise<void> {
    this.pauses++;
    if (!this.child) return Promise.resolve();
    const acked = new Promise<void>((resolve) => this.pausedWaiters.push(resolve));
    this.send({ type: "pause" });
    return acked;
  }

  resume(): void {
    if (this.pauses === 0) return;
    this.pauses--;
    this.send({ type: "resume" });
  }

  /** Stops the child: asks it to exit, kills it after `deadlineMs`. */
  async close(deadlineMs = 5_000): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    this.send({ type: "exit" }, child);
    const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
    await exited;
    clearTimeout(timer);
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const { backend, maxOldSpaceMb } = this.opts;
    const child = fork(CHILD, [], {
      execArgv: ["--import", "tsx", ...(maxOldSpaceMb ? [`--max-old-space-size=${maxOldSpaceMb}`] : [])],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "pipe", "ipc"],
      env: { ...process.env, ...(backend ? { COSTGATE_TF_BACKEND: backend } : {}) },
    });
    this.child = child;
    this.stderrTail = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-2_000);
    });
    child.on("message", (message: FromChild) => this.onMessage(message));
    child.on("exit", (code, signal) => this.onExit(child, code, signal));
    // The worker exiting for any reason (a crash included) takes its TensorFlow process with it at
    // once; killed -9, it cannot, and the child exits when it sees the channel close (at its next
    // yield, within one batch).
    const killWithWorker = () => child.kill("SIGKILL");
    process.once("exit", killWithWorker);
    child.once("exit", () => process.off("exit", killWithWorker));
    // A pause asked for before the child existed holds for it too.
    for (let i = 0; i < this.pauses; i++) this.send({ type: "pause" }, child);
    return child;
  }

  private send(message: ToChild, child = this.child): void {
    if (child?.connected) child.send(message);
  }

  private onMessage(message: FromChild): void {
    switch (message.type) {
      case "result":
        this.settle(message.id)?.resolve(message.result);
        break;
      case "error": {
        const p = this.settle(message.id);
        if (!p) break;
        p.reject(
          message.error.mlCode
            ? new MlError(message.error.mlCode, message.error.message)
            : new TfCallError(message.error),
        );
        break;
      }
      case "progress":
        this.pending.get(message.id)?.onProgress?.(message.fraction, message.stage);
        break;
      case "paused": {
        const waiters = this.pausedWaiters;
        this.pausedWaiters = [];
        for (const w of waiters) w();
        break;
      }
      case "ready":
        this.opts.logger.debug(
          { tf: this.opts.name, backend: message.backend, pid: this.child?.pid },
          "TensorFlow process ready",
        );
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = null;
    const failed = [...this.pending.values()];
    this.pending.clear();
    // Nothing waits at a gate of a dead process.
    for (const w of this.pausedWaiters.splice(0)) w();
    if (failed.length)
      this.opts.logger.warn(
        { tf: this.opts.name, code, signal, calls: failed.map((p) => p.op) },
        "TensorFlow process died",
      );
    for (const p of failed) p.reject(new TfProcessDied(p.op, code, signal, this.stderrTail.trim()));
  }
}
