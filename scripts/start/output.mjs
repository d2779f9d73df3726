// Console output for `npm start`: the script's own lines and every child's lines, prefixed
// with the name of whatever printed them.
import { createInterface } from "node:readline";

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const palette = [36, 35, 33, 32, 34, 31];
const assigned = new Map();
const width = 8;

function paint(code, text) {
  return useColor ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function prefix(name) {
  if (!assigned.has(name)) assigned.set(name, name === "start" ? 1 : palette[assigned.size % palette.length]);
  return paint(assigned.get(name), name.padEnd(width).slice(0, width) + "|");
}

/** A logger whose lines start with `name |`. */
export function logger(name) {
  return {
    info: (...parts) => console.log(`${prefix(name)} ${parts.join(" ")}`),
    warn: (...parts) => console.log(`${prefix(name)} ${paint(33, "warning:")} ${parts.join(" ")}`),
    error: (...parts) => console.error(`${prefix(name)} ${paint(31, "error:")} ${parts.join(" ")}`),
  };
}

export const log = logger("start");

/** Copies a readable stream to the console line by line, under `name`. Returns the last lines seen. */
export function pipeLines(name, stream, { keep = 20, show = () => true } = {}) {
  const recent = [];
  if (!stream) return recent;
  createInterface({ input: stream }).on("line", (line) => {
    recent.push(line);
    if (recent.length > keep) recent.shift();
    if (show(line)) console.log(`${prefix(name)} ${line}`);
  });
  return recent;
}

/** A failure the person running `npm start` can act on: printed without a stack trace. */
export class StartError extends Error {}
