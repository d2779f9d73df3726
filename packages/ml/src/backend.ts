import { MlError } from "./errors.ts";
import { tf } from "./tf.ts";
import { registerWasmGradients } from "./wasm-gradients.ts";

/** tfjs backends Costgate runs on, fastest first. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

const BACKEND_NAMES: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

export interface InitBackendOptions {
  /** Use exactly this backend (fails if it cannot start). Wins over COSTGATE_TF_BACKEND. */
  force?: BackendName;
}

// Kept in a variable so that neither TypeScript nor a bundler resolves it:
// tfjs-node is an optional dependency that is usually absent.
const TFJS_NODE = "@tensorflow/tfjs-node";

// Registered up front too, so code that calls tf.setBackend('wasm') itself can train convs.
registerWasmGradients();

let pending: Promise<BackendName> | null = null;
let tfjsNodeTried = false;
let tfjsNodeError: string | null = null;

function forcedByEnv(): BackendName | undefined {
  const raw = process.env.COSTGATE_TF_BACKEND?.trim();
  if (!raw) return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(raw)) return raw as BackendName;
  throw new MlError(
    "BAD_PARAM",
    `COSTGATE_TF_BACKEND="${raw}" is not a backend; use one of ${BACKEND_NAMES.join(", ")} or unset it`,
  );
}

/** Loads @tensorflow/tfjs-node once. Any error (absent, half-installed, ABI) means "not available". */
async function loadTfjsNode(): Promise<boolean> {
  if (!tfjsNodeTried) {
    tfjsNodeTried = true;
    try {
      await import(/* @vite-ignore */ TFJS_NODE);
    } catch (e) {
      tfjsNodeError = e instanceof Error ? (e.message.split("\n")[0] ?? e.message) : String(e);
    }
  }
  return tfjsNodeError === null && tf.findBackendFactory("tensorflow") != null;
}

async function trySet(name: BackendName): Promise<boolean> {
  if (name === "tensorflow" && !(await loadTfjsNode())) return false;
  try {
    if (name === "wasm") registerWasmGradients();
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function select(force: BackendName | undefined): Promise<BackendName> {
  if (force) {
    if (await trySet(force)) return force;
    const why = force === "tensorflow" && tfjsNodeError ? `: ${tfjsNodeError}` : "";
    throw new MlError("BACKEND_UNAVAILABLE", `tfjs backend "${force}" could not be started${why}`);
  }
  for (const name of BACKEND_NAMES) {
    if (await trySet(name)) return name;
  }
  throw new MlError("BACKEND_UNAVAILABLE", "no tfjs backend could be started (tried tensorflow, wasm, cpu)");
}

/**
 * Selects and initialises the tfjs backend: @tensorflow/tfjs-node when it loads, else wasm, else
 * cpu. `opts.force` or the COSTGATE_TF_BACKEND env variable pins one. Idempotent: calls without a
 * different forced backend return the backend already running. Resolves after `tf.ready()`.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendName> {
  if (opts.force !== undefined && !(BACKEND_NAMES as readonly string[]).includes(opts.force)) {
    throw new MlError("BAD_PARAM", `unknown backend "${String(opts.force)}"; use one of ${BACKEND_NAMES.join(", ")}`);
  }
  const wanted = opts.force ?? forcedByEnv();
  const previous = pending;
  if (previous) {
    const current = await previous.catch(() => null);
    if (current !== null && (wanted === undefined || wanted === current) && tf.getBackend() === current) {
      return current;
    }
    // another caller may have switched while we waited
    if (pending !== previous) return initBackend(opts);
  }
  const next = select(wanted);
  pending = next;
  return next;
}

/** The backend tfjs is running on now (after initBackend). */
export function currentBackend(): BackendName | null {
  const name = tf.getBackend();
  return (BACKEND_NAMES as readonly string[]).includes(name) ? (name as BackendName) : null;
}

/** Why @tensorflow/tfjs-node was not used, if it was tried and failed. */
export function tfjsNodeUnavailableReason(): string | null {
  return tfjsNodeError;
}

/**
 * Bytes the current backend holds: the wasm heap (it grows and never shrinks, so a long-lived
 * process keeps its peak), else the process's resident memory.
 */
export function backendHeapBytes(): number {
  const wasm = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } } | undefined)?.wasm;
  return wasm?.HEAPU8?.length ?? process.memoryUsage().rss;
}

/**
 * Whether an error is the backend running out of memory (or its heap broken by it) rather than
 * a problem of the model or data. A wasm heap that failed to grow answers "memory access out of
 * bounds" anywhere, loading a model included.
 */
export function isBackendMemoryFailure(message: string): boolean {
  return /memory access out of bounds|out of memory|Cannot enlarge memory|Aborted\(OOM\)|Array buffer allocation failed/i.test(
    message,
  );
}
