/**
 * The rules of a dataset CSV, checked as it streams: by the API when it is uploaded and by
 * @costgate/ml when it loads one, so the two accept exactly the same files.
 *
 * - A header of unique non-empty names (trimmed), with at most one label column and at least
 *   one feature column. The label column is the one named `label` in any case (`label`, `Label`,
 *   `LABEL`): people and tools write it every way and nothing else could be meant; a header with
 *   two columns that match is refused, since which one is the target would be a guess. Whether
 *   a label column must be there is the reader's choice (`label`): TRAIN and EVALUATION sets
 *   need one, an UNLABELED set (inputs only) must not have one, an upload may be either.
 * - Then at least one data row; every row as wide as the header, every cell (trimmed) a finite
 *   decimal number: digits, an optional point and exponent; no hex, no "Infinity", no empty cell.
 * - RFC 4180 quoting within a line (a quoted cell cannot span lines), a UTF-8 byte-order mark,
 *   LF or CRLF line ends; blank lines are skipped. Line numbers count from 1 at the file's first
 *   line, as an editor shows them; columns are named and counted from 1.
 * - Memory is bounded by the longest line, which the caller may limit (CsvLimits).
 */
import { StringDecoder } from "node:string_decoder";
import { FormatError } from "./format-error.ts";

/** The name of the label column, matched in any case. */
export const LABEL_COLUMN = "label";

/** Room a data line gets per column: a float32 written out in full ("-1.23456789e-10,") fits. */
const BYTES_PER_CELL = 32;

interface CsvLimits {
  /**
   * Longest data line held in memory, at the least; a CSV of many columns may have lines of up
   * to BYTES_PER_CELL bytes a column (a 224×224×3 image is 150,528 cells). Longer is refused.
   * Default 1 MiB; Infinity for no limit.
   */
  maxLineBytes?: number;
  /** Longest header line (column names), default 16 MiB: over a million columns of short names. */
  maxHeaderBytes?: number;
}

const DEFAULT_CSV_LIMITS: Readonly<Required<CsvLimits>> = {
  maxLineBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024 * 1024,
};

/** A header that keeps the rules. */
export interface CsvHeader {
  /** Every column's name, trimmed, in file order. */
  columns: string[];
  /** Where the label column is (0-based) and its name as the file writes it; null without one. */
  labelIndex: number | null;
  labelColumn: string | null;
  /** The other columns, in file order. */
  featureColumns: string[];
}

/** Whether the file must have a label column ("required"), must not ("none"), or may ("any"). */
export type LabelRule = "required" | "none" | "any";

export interface ReadCsvOptions {
  limits?: CsvLimits;
  /** Default "required". */
  label?: LabelRule;
  /** Called once with the header; throw to refuse the file. */
  onHeader?: (header: CsvHeader, line: number) => void;
  /**
   * Called with each data row's values in column order (the label's among them, at
   * header.labelIndex) and its raw cells; return false to stop reading. Throw to refuse.
   */
  onRow?: (values: number[], line: number, cells: readonly string[]) => boolean | void;
}

/** A decimal number as people and CSV writers write it; no hex, no "Infinity", no empty cell. */
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** How many column names a message lists before it says how many more there are. */
const LISTED_COLUMNS = 8;

/**
 * Reads a dataset CSV from a byte or text stream, checking every rule, and answers its header
 * and the number of data rows read (all of them, unless onRow stopped early). Throws a
 * FormatError (BAD_CSV) saying what is wrong and where; errors of the stream or of the handlers
 * pass through as they are.
 */
export async function readCsvDataset(
  source: AsyncIterable<Buffer | string>,
  opts: ReadCsvOptions = {},
): Promise<{ header: CsvHeader; rows: number }> {
  const minLineBytes = opts.limits?.maxLineBytes ?? DEFAULT_CSV_LIMITS.maxLineBytes;
  const limit = {
    bytes: opts.limits?.maxHeaderBytes ?? DEFAULT_CSV_LIMITS.maxHeaderBytes,
    why: "the limit for a header line",
  };
  let header: CsvHeader | null = null;
  let rows = 0;
  for await (const { line, number } of csvLines(source, limit)) {
    const text = number === 1 ? line.replace(/^\uFEFF/, "") : line;
    if (text.trim() === "") continue;
    const cells = splitCsvLine(text, number);
    if (header === null) {
      header = checkCsvHeader(cells, number, opts.label ?? "required");
      const width = header.columns.length;
      limit.bytes = Math.max(minLineBytes, width * BYTES_PER_CELL);
      limit.why = `the limit for a CSV of ${width} columns: ${BYTES_PER_CELL} bytes a cell, at least ${minLineBytes}`;
      opts.onHeader?.(header, number);
      continue;
    }
    const values = csvRowValues(cells, number, header.columns);
    rows++;
    if (opts.onRow?.(values, number, cells) === false) break;
  }
  if (header === null) {
    throw bad(
      `the CSV is empty: it needs a header row with a "${LABEL_COLUMN}" column and at least one feature column, then data rows`,
    );
  }
  if (rows === 0) throw bad("the CSV has a header but no data rows");
  return { header, rows };
}

/** Checks a header line's cells (line `number`): the header rules above. */
export function checkCsvHeader(cells: readonly string[], number: number, label: LabelRule = "required"): CsvHeader {
  const columns = cells.map((c) => c.trim());
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name === "") throw bad(`CSV header (line ${number}): column ${i + 1} has no name`);
    if (seen.has(name)) throw bad(`CSV header (line ${number}): column name "${name}" appears twice`);
    seen.add(name);
  });
  const labels = columns.flatMap((name, i) => (name.toLowerCase() === LABEL_COLUMN ? [i] : []));
  if (labels.length > 0 && label === "none") {
    throw bad(
      `CSV header (line ${number}): column ${labels[0]! + 1} ("${columns[labels[0]!]}") is a label column, and inputs without labels (an UNLABELED dataset) have none; remove it, or register the file as a TRAIN or EVALUATION dataset`,
    );
  }
  if (labels.length === 0 && label !== "required") {
    return { columns, labelIndex: null, labelColumn: null, featureColumns: columns };
  }
  if (labels.length === 0) {
    throw bad(
      `CSV header has no "${LABEL_COLUMN}" column; columns: ${listColumns(columns)} (the label column is named ${LABEL_COLUMN}, in any case)`,
    );
  }
  if (labels.length > 1) {
    const which = labels.map((i) => `${i + 1} ("${columns[i]}")`);
    throw bad(
      `CSV header (line ${number}): columns ${which.slice(0, -1).join(", ")} and ${which.at(-1)} all name the label column ` +
        `("${LABEL_COLUMN}" is matched in any case); keep one`,
    );
  }
  const labelIndex = labels[0]!;
  const labelColumn = columns[labelIndex]!;
  if (columns.length < 2) {
    throw bad(`CSV header has only the label column ("${labelColumn}"); a dataset needs at least one feature column`);
  }
  return { columns, labelIndex, labelColumn, featureColumns: columns.filter((_, i) => i !== labelIndex) };
}

/** The values of a data line's cells (line `number`): as many as there are columns, each a finite decimal number. */
function csvRowValues(cells: readonly string[], number: number, columns: readonly string[]): number[] {
  if (cells.length !== columns.length) {
    throw bad(`CSV line ${number} has ${cells.length} cells, but the header has ${columns.length} columns`);
  }
  const values = new Array<number>(cells.length);
  for (let c = 0; c < cells.length; c++) {
    const where = `CSV line ${number}, column "${columns[c]}" (${c + 1})`;
    const cell = cells[c]!.trim();
    if (!NUMERIC.test(cell)) {
      throw bad(`${where}: ${JSON.stringify(cells[c]!.slice(0, 40))} is not a number (every cell must be numeric)`);
    }
    const value = Number(cell);
    if (!Number.isFinite(value)) throw bad(`${where}: ${JSON.stringify(cell.slice(0, 40))} is not a finite number`);
    values[c] = value;
  }
  return values;
}

/** Cells of one CSV line (line `number`, for messages). Quoted cells may hold commas and "" for a quote. */
export function splitCsvLine(line: string, number: number): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw bad(`CSV line ${number}: a quoted cell is not closed (quoted cells cannot span lines)`);
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < line.length && line[i] !== ",")
        throw bad(`CSV line ${number}: text after a closing quote at character ${i + 1}`);
      cells.push(value);
    } else {
      const comma = line.indexOf(",", i);
      const end = comma < 0 ? line.length : comma;
      cells.push(line.slice(i, end));
      i = end;
    }
    if (i >= line.length) return cells;
    i++; // the comma
    if (i === line.length) {
      cells.push("");
      return cells;
    }
  }
}

function listColumns(columns: readonly string[]): string {
  const listed = columns
    .slice(0, LISTED_COLUMNS)
    .map((n) => `"${n}"`)
    .join(", ");
  const more = columns.length - LISTED_COLUMNS;
  return more > 0 ? `${listed} and ${more} more` : listed;
}

/**
 * Lines of a byte stream (LF or CRLF), each at most `limit.bytes` (read for every line), decoded
 * as UTF-8. Linear in the input however it is chunked: a line's pieces are joined once.
 */
async function* csvLines(
  source: AsyncIterable<Buffer | string>,
  limit: { bytes: number; why: string },
): AsyncGenerator<{ line: string; number: number }> {
  const decoder = new StringDecoder("utf8");
  let parts: string[] = [];
  let partsLength = 0;
  let number = 0;
  // Characters are at least one byte each, so a line longer in characters is over the limit.
  const tooLong = () => bad(`CSV line ${number + 1} is longer than ${limit.bytes} bytes (${limit.why})`);
  const take = (last: string): string => {
    let line = parts.length ? parts.join("") + last : last;
    parts = [];
    partsLength = 0;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.length > limit.bytes) throw tooLong();
    number++;
    return line;
  };
  for await (const chunk of source) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const line = take(text.slice(start, nl));
      yield { line, number };
      start = nl + 1;
    }
    if (start < text.length) {
      parts.push(text.slice(start));
      partsLength += text.length - start;
      if (partsLength > limit.bytes + 1) throw tooLong();
    }
  }
  const last = decoder.end();
  if (partsLength + last.length > 0) {
    const line = take(last);
    if (line.length > 0) yield { line, number };
  }
}

function bad(message: string): FormatError {
  return new FormatError("BAD_CSV", message);
}
