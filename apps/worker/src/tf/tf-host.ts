import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MlError } from "@costgate/ml";
import type { Logger } from "pino";
import type { FromChild, OpName, Ops, ToChild, WireError } from "./protocol.ts";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));
const DEFAULT_RECYCLE_BYTES = 1.5 * 1024 ** 3;

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

/** The backend ran out of memory on a call, again after a retry in a new process. */
class TfOutOfMemory extends TfProcessDied {
  constructor(op: string, detail: string) {
    super(op, null, null, "");
    this.message =
      `TensorFlow ran out of memory while running ${op}, twice (the second time in a new process): ` +
      `give the worker more memory, or use a smaller model, batch size or dataset (${detail.slice(0, 300)})`;
    this.name = "TfOutOfMemory";
  }
}

/** A call failed because the child's backend memory is exhausted; retried once in a new child. */
class BackendMemoryFailure extends Error {}

/** A call's error as thrown in the child. */
class TfCallError extends Error {
  readonly aborted: boolean;
  constructor(error: WireError) {
    super(error.message);
    this.name = "TfCallError";
    this.aborted = error.aborted === true;
  }
}

interface Pending {
  op: OpName;
  child: ChildProcess;
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

  /** Children that take no new calls and exit once their calls are done. */
  private readonly retiring = new Set<ChildProcess>();

  constructor(
    private readonly opts: {
      backend?: string;
      logger: Logger;
      name: string;
      maxOldSpaceMb?: number;
      /** A child idle with more backend memory than this is replaced (a wasm heap never shrinks). Default 1.5 GiB. */
      recycleBytes?: number;
    },
  ) {}

  /** The child's pid while it runs (tests kill it to show a job survives its death). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Runs an operation in the child. A call that fails because the backend's memory is exhausted
   * (a wasm heap that could not grow) is run once more in a new process.
   */
  async call<O extends OpName>(op: O, args: Ops[O]["args"], options: CallOptions = {}): Promise<Ops[O]["result"]> {
    try {
      return await this.callOnce(op, args, options);
    } catch (e) {
      if (!(e instanceof BackendMemoryFailure)) throw e;
      this.opts.logger.warn(
        { tf: this.opts.name, op, err: e.message },
        "TensorFlow out of memory: retrying in a new process",
      );
      try {
        return await this.callOnce(op, args, options);
      } catch (again) {
        if (again instanceof BackendMemoryFailure) throw new TfOutOfMemory(op, again.message);
        throw again;
      }
    }
  }

  private callOnce<O extends OpName>(op: O, args: Ops[O]["args"], options: CallOptions): Promise<Ops[O]["result"]> {
    if (this.closed) return Promise.reject(new Error("the worker is shutting down"));
    const child = this.ensureChild();
    const id = this.nextId++;
    return new Promise<Ops[O]["result"]>((resolve, reject) => {
      const onAbort = () => this.send({ type: "abort", id });
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        op,
        child,
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
    for (const c of this.retiring) this.send({ type: "pause" }, c);
    return acked;
  }

  resume(): void {
    if (this.pauses === 0) return;
    this.pauses--;
    this.send({ type: "resume" });
    for (const c of this.retiring) this.send({ type: "resume" }, c);
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
      // --no-liftoff: V8 compiles TensorFlow.js's wasm kernels with its optimising compiler up
      // front instead of tiering up from a baseline compiler while they run: a young process
      // otherwise measures up to 1.5x slower than the same process minutes later, more so on a
      // loaded machine, where tier-up compiles late (measured: docs/BENCHMARKS.md).
      execArgv: [
        "--import",
        "tsx",
        "--no-liftoff",
        ...(maxOldSpaceMb ? [`--max-old-space-size=${maxOldSpaceMb}`] : []),
      ],
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
    child.on("message", (message: FromChild) => this.onMessage(child, message));
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

  private onMessage(child: ChildProcess, message: FromChild): void {
    switch (message.type) {
      case "result":
        this.settle(message.id)?.resolve(message.result);
        break;
      case "error": {
        const p = this.settle(message.id);
        if (!p) break;
        if (message.error.memory) {
          this.retire(child, "out of memory");
          p.reject(new BackendMemoryFailure(message.error.message));
          break;
        }
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
      case "memory":
        if (message.heapBytes > (this.opts.recycleBytes ?? DEFAULT_RECYCLE_BYTES) && this.callsOn(child) === 0)
          this.retire(child, "idle with a large heap", message.heapBytes);
        break;
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
    if (p && this.retiring.has(p.child)) this.exitIfIdle(p.child);
    return p;
  }

  private callsOn(child: ChildProcess): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.child === child) n++;
    return n;
  }

  /** The next call starts a new child; this one exits once its calls are done. */
  private retire(child: ChildProcess, why: string, heapBytes?: number): void {
    if (this.retiring.has(child)) return;
    if (this.child === child) this.child = null;
    this.retiring.add(child);
    this.opts.logger.info({ tf: this.opts.name, pid: child.pid, heapBytes, why }, "replacing the TensorFlow process");
    this.exitIfIdle(child);
  }

  private exitIfIdle(child: ChildProcess): void {
    if (this.callsOn(child) > 0) return;
    this.send({ type: "exit" }, child);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => clearTimeout(timer));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = null;
    this.retiring.delete(child);
    const failed = [...this.pending.entries()]
      .filter(([, p]) => p.child === child)
      .map(([id, p]) => {
        this.pending.delete(id);
        return p;
      });
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
