/**
 * Class names of a classifier: output index i means classNames[i]. One home for the rule, used
 * by the API (createModel), the worker (a version whose outputs do not match is refused) and the
 * dashboard (the form that takes them).
 */
const MAX_CLASS_NAMES = 10_000;
const MAX_CLASS_NAME_LENGTH = 200;

/** Why these class names cannot be used (the first problem found), or null. */
export function classNamesProblem(names: readonly string[]): string | null {
  if (names.length === 0) return "give at least one class name, or none at all";
  if (names.length > MAX_CLASS_NAMES) return `at most ${MAX_CLASS_NAMES} class names (got ${names.length})`;
  const seen = new Map<string, number>();
  for (const [i, raw] of names.entries()) {
    const name = raw.trim();
    if (name !== raw) return `class name ${i} ("${raw}") has spaces around it`;
    if (name === "") return `class name ${i} is empty`;
    if (name.length > MAX_CLASS_NAME_LENGTH)
      return `class name ${i} is ${name.length} characters long; at most ${MAX_CLASS_NAME_LENGTH}`;
    // A folder of images is named by a class name or its index: a name that is another class's
    // index would be read two ways.
    if (/^\d+$/.test(name) && Number(name) !== i && Number(name) < names.length)
      return `class name ${i} is "${name}", the index of another class: a folder named ${name} would be ambiguous`;
    if (/[/\\]/.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20))
      return `class name ${i} ("${name}") contains a slash or a control character`;
    const key = name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined)
      return `class names ${earlier} and ${i} are both "${name}" (names are compared ignoring case)`;
    seen.set(key, i);
  }
  return null;
}

/** Class names as people type them: one per line, or separated by commas. */
export function parseClassNames(text: string): string[] {
  const parts = text.includes("\n") ? text.split(/\r?\n/) : text.split(",");
  return parts.map((s) => s.trim()).filter((s) => s !== "");
}

/** Why a model with these outputs cannot carry these class names, or null. */
export function outputUnitsProblem(
  classNames: readonly string[],
  outputUnits: number | null,
  modelName: string,
): string | null {
  if (classNames.length === 0 || outputUnits === null) return null;
  if (outputUnits === classNames.length) return null;
  return `this version has ${outputUnits} output${outputUnits === 1 ? "" : "s"} but model ${modelName} names ${classNames.length} classes (classNames): output i means classNames[i], so they must be as many`;
}

/**
 * The class index a label means: its index ("3") or its name ("cat", ignoring case). Null when
 * the model has no such class; the caller says which labels it knows (knownClasses).
 */
export function classIndexOf(classNames: readonly string[], label: string): number | null {
  const text = label.trim();
  if (/^\d+$/.test(text)) {
    const i = Number(text);
    return classNames.length === 0 || i < classNames.length ? i : null;
  }
  const i = classNames.findIndex((n) => n.toLowerCase() === text.toLowerCase());
  return i === -1 ? null : i;
}

/** "0 cat, 1 dog, 2 bird" (the first `max`, then how many more). */
export function knownClasses(classNames: readonly string[], max = 20): string {
  const listed = classNames.slice(0, max).map((n, i) => `${i} ${n}`);
  const more = classNames.length - listed.length;
  return more > 0 ? `${listed.join(", ")} and ${more} more` : listed.join(", ");
}
