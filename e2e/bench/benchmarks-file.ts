import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../support/stack.ts";

/** Replaces (or appends) the section of docs/BENCHMARKS.md that starts with the heading `heading`. */
export function writeBenchmarkSection(heading: string, section: string): void {
  const file = join(root, "docs", "BENCHMARKS.md");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = current.indexOf(heading);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const end = current.indexOf("\n## ", start + heading.length);
    next = current.slice(0, start) + section + (end === -1 ? "" : `\n${current.slice(end + 1)}`);
  }
  writeFileSync(file, next.endsWith("\n") ? next : `${next}\n`);
}
