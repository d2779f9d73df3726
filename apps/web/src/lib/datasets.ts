/** How the model page describes a dataset's labels and preprocessing. */

const SCALE_TEXT: Record<string, string> = { ZERO_ONE: "x / 255", MINUS_ONE_ONE: "x / 127.5 − 1", RAW: "raw 0–255" };

/** "circle, cross, ring and 3 more"; "None" for inputs without labels. */
export function labelsText(labels: readonly string[] | null | undefined, shown = 4): string {
  if (!labels || labels.length === 0) return "None";
  const head = labels.slice(0, shown).join(", ");
  return labels.length > shown ? `${head} and ${labels.length - shown} more` : head;
}

/** "x / 255, mean 0.485/0.456/0.406, std 0.229/0.224/0.225"; "—" for a CSV. */
export function preprocessingText(p: unknown): string {
  if (!p || typeof p !== "object") return "—";
  const { scale, mean, std } = p as { scale?: string; mean?: number[] | null; std?: number[] | null };
  const parts = [SCALE_TEXT[scale ?? "ZERO_ONE"] ?? String(scale)];
  if (mean?.length) parts.push(`mean ${mean.join("/")}`);
  if (std?.length) parts.push(`std ${std.join("/")}`);
  return parts.join(", ");
}
