/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A value as a message shows it: "missing", or its JSON cut to 60 characters. */
export const show = (v: unknown): string => (v === undefined ? "missing" : JSON.stringify(v).slice(0, 60));
