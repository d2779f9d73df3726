import { readFileSync, readdirSync } from "node:fs";

/**
 * The processes whose parent is `pid` (Linux: read from /proc); with `command`, only those whose
 * command line matches it. A process started with `--import tsx` also has tsx's esbuild service
 * as a child: name the script to count only the processes it forked.
 */
export function childPids(pid: number, command?: RegExp): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command's closing parenthesis: state, ppid, ...
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== pid) continue;
      if (command && !command.test(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "))) continue;
      children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return children;
}
