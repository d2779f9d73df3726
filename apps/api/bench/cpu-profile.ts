// Where a process's CPU time went, from a V8 .cpuprofile (`node --cpu-prof`; the throughput
// benchmark writes one per API process with BENCH_CPU_PROF=<dir>):
//   npx tsx apps/api/bench/cpu-profile.ts <file.cpuprofile> [seconds to skip at the start]
// Prints self time by package, time including callees by package (each package counted once per
// stack), and self time by function, as shares of the busy (not idle) time after the skipped start.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, skipSeconds = "0"] = process.argv.slice(2);
if (!file) throw new Error("usage: cpu-profile.ts <file.cpuprofile> [seconds to skip]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** The package a frame belongs to: node_modules/<name>, a repository path, node:<module>, or (native). */
const packageOf = (n: ProfileNode) => {
  const url = n.callFrame.url;
  if (!url) return "(native)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const repo = /\/(apps|packages)\/(.*)$/.exec(url);
  return repo ? `${repo[1]}/${repo[2]}` : url;
};

const timeOf = new Map<number, number>();
let clock = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  clock += profile.timeDeltas[i] ?? 0;
  if (clock < Number(skipSeconds) * 1e6) return;
  // Waiting is not work: shares are of the busy time.
  if (byId.get(id)!.callFrame.functionName === "(idle)") idle += profile.timeDeltas[i] ?? 0;
  else timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...timeOf.values()].reduce((a, b) => a + b, 0);
const self = new Map<string, number>();
const selfByPackage = new Map<string, number>();
const inclusive = new Map<string, number>();
const add = (m: Map<string, number>, k: string, t: number) => m.set(k, (m.get(k) ?? 0) + t);
for (const [id, t] of timeOf) {
  const n = byId.get(id)!;
  add(self, `${n.callFrame.functionName || "(anonymous)"} ${packageOf(n)}:${n.callFrame.lineNumber}`, t);
  add(selfByPackage, packageOf(n), t);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const p = packageOf(byId.get(cur)!);
    if (!seen.has(p)) add(inclusive, p, t);
    seen.add(p);
  }
}
const show = (title: string, m: Map<string, number>, rows: number) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows))
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle`);
show("self time by package", selfByPackage, 15);
show("time including callees, by package", inclusive, 25);
show("self time by function", self, 20);
