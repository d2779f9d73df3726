/** Plain-text and Markdown tables for the CLI and the benchmark report. */

export type Cell = string | number | null | undefined;

function text(cell: Cell): string {
  if (cell === null || cell === undefined) return "";
  return String(cell);
}

function isNumeric(cell: string): boolean {
  return /^[-+−]?[$]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?\s*(%|×|x|ms|s|B|KB|MB|k|M|\/s)?$/.test(cell.trim());
}

/** Columns padded to their widest cell; numeric-looking cells right-aligned. */
export function formatTable(headers: string[], rows: Cell[][]): string {
  const cells = rows.map((r) => headers.map((_, i) => text(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (isNumeric(c) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** A GitHub-flavoured Markdown table; numeric columns right-aligned. */
export function markdownTable(headers: string[], rows: Cell[][]): string {
  const cells = rows.map((r) => headers.map((_, i) => text(r[i]).replace(/\|/g, "\\|")));
  const numericCol = headers.map(
    (_, i) => cells.length > 0 && cells.every((r) => r[i] === "" || isNumeric(r[i] as string)),
  );
  const head = `| ${headers.join(" | ")} |`;
  const sep = `|${numericCol.map((n) => (n ? "---:" : ":---")).join("|")}|`;
  return [head, sep, ...cells.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** 1234567 → "1.23 MB" (decimal units, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

/** 1234567 → "1.23M", 45600 → "45.6k". */
export function formatCount(n: number): string {
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
