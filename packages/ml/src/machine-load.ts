/**
 * Was the machine quiet while we measured? Compares the CPU time all processes used (Linux
 * /proc/stat) with the CPU time of this process: a measurement during which other processes
 * used more than a quarter of a core is repeated (see run.ts). Elsewhere (no /proc/stat) every
 * measurement counts as quiet.
 */
import { readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
export const MAX_OTHER_CORES = 0.25;

interface Snapshot {
  wallMs: number;
  /** Non-idle CPU time of the whole machine, seconds (null without /proc/stat). */
  busySeconds: number | null;
  /** CPU time of this process, seconds. */
  ownSeconds: number;
}

function machineBusySeconds(): number | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - idle) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export function snapshot(): Snapshot {
  const u = process.cpuUsage();
  return { wallMs: performance.now(), busySeconds: machineBusySeconds(), ownSeconds: (u.user + u.system) / 1e6 };
}

/** Cores' worth of CPU that other processes used since `start` (0 when unknown). */
export function otherCores(start: Snapshot, end: Snapshot = snapshot()): number {
  if (start.busySeconds === null || end.busySeconds === null) return 0;
  const wall = (end.wallMs - start.wallMs) / 1000;
  if (wall <= 0) return 0;
  const others = end.busySeconds - start.busySeconds - (end.ownSeconds - start.ownSeconds);
  return Math.max(0, others / wall);
}

/**
 * Milliseconds a fixed piece of single-threaded work takes: a probe of how fast the CPU this
 * process gets is right now (a virtual machine's share of its host can change minute to minute
 * without showing up as steal time or as other processes).
 */
export function cpuProbeMs(): number {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 5_000_000; i++) x = (x * 1664525 + 1013904223 + i) % 4294967296;
  const ms = performance.now() - t0;
  if (x === -1) console.log(x); // keep the loop observable
  return ms;
}
