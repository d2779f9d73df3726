/** Argument parsing helpers for the costgate-ml CLI (node:util parseArgs underneath). */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Bad usage: unknown command or flag, missing or malformed value. Exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export function parse(command: string, argv: string[], options: OptionSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Parsed["values"], positionals };
  } catch (e) {
    // parseArgs messages are clear ("Unknown option '--foo'"); drop its hint about '--' handling.
    const msg = (e as Error).message.split(". To specify")[0] ?? (e as Error).message;
    throw new UsageError(msg, command);
  }
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function required(p: Parsed, name: string, command: string): string {
  const v = str(p, name);
  if (v === undefined || v === "") throw new UsageError(`--${name} is required`, command);
  return v;
}

/** A finite number, optionally within [min, max] / (min, max). */
export function num(
  p: Parsed,
  name: string,
  command: string,
  opts: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; integer?: boolean } = {},
): number | undefined {
  const raw = str(p, name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const bad = (why: string) => new UsageError(`--${name} ${why} (got "${raw}")`, command);
  if (raw.trim() === "" || !Number.isFinite(v)) throw bad("must be a number");
  if (opts.integer && !Number.isInteger(v)) throw bad("must be a whole number");
  if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) {
    throw bad(`must be ${opts.exclusiveMin ? ">" : "≥"} ${opts.min}`);
  }
  if (opts.max !== undefined && (opts.exclusiveMax ? v >= opts.max : v > opts.max)) {
    throw bad(`must be ${opts.exclusiveMax ? "<" : "≤"} ${opts.max}`);
  }
  return v;
}

export function oneOf<T extends string>(
  p: Parsed,
  name: string,
  command: string,
  allowed: readonly T[],
): T | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got "${v}")`, command);
  }
  return v as T;
}
