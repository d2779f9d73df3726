import type { MachineLock } from "../machine-lock.ts";
import type { CallOptions, TfHost } from "./tf-host.ts";
import type { Ops } from "./protocol.ts";

export interface LaneCallOptions extends CallOptions {
  /** Said when the call waits for the machine (a measurement runs) or pauses for one. */
  onWait?: (why: string) => void;
}

/**
 * How the worker runs TensorFlow work: in its child process (TfHost), under the machine's
 * measurement lock. Computations pause while a cost measurement runs on the host; a
 * measurement runs alone.
 */
export class TfLane {
  constructor(
    readonly host: TfHost,
    private readonly lock: MachineLock,
  ) {}

  compute<O extends "evaluate" | "applyStep">(
    op: O,
    args: Ops[O]["args"],
    options: LaneCallOptions = {},
  ): Promise<Ops[O]["result"]> {
    return this.lock.shared(
      {
        onWait: options.onWait,
        onPreempt: () => {
          options.onWait?.("Paused: a cost measurement is running on this machine");
          return this.host.pause();
        },
        onResume: () => this.host.resume(),
      },
      () => this.host.call(op, args, options),
    );
  }

  measure(args: Ops["measure"]["args"], options: LaneCallOptions = {}): Promise<Ops["measure"]["result"]> {
    return this.lock.exclusive(options.onWait ?? (() => undefined), () => this.host.call("measure", args, options));
  }

  close(): Promise<void> {
    return this.host.close();
  }
}
