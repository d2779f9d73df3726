import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { badInput } from "@costgate/core";

/** What validation learned about a dataset; kept as Artifact.metadata. */
export interface DatasetUploadMetadata {
  /** Data rows (the header and blank lines not counted). */
  rows: number;
  columns: string[];
  featureColumns: string[];
  /** null: no label column, inputs only (registrable only as an UNLABELED dataset). */
  labelColumn: "label" | null;
}

export interface DatasetValidationOptions {
  /**
   * Longest data line held in memory, at the least; a CSV of many columns may have lines of up
   * to BYTES_PER_CELL bytes a column (a 224×224×3 image is 150,528 cells). Longer is refused.
   */
  maxLineBytes?: number;
  /** Longest header line (column names), default 16 MiB: over a million columns of short names. */
  maxHeaderBytes?: number;
}

/** Room a data line gets per column: a float32 written out in full ("-1.23456789e-10,") fits. */
export const BYTES_PER_CELL = 32;

const LABEL = "label";
/** A decimal number as people and CSV writers write it; no hex, no "Infinity", no empty cell. */
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Validates a dataset CSV as it streams (memory bounded by the longest line): a header of
 * unique non-empty names with at least one feature column (and a `label` column, except for
 * inputs without labels, which registerDataset accepts only as UNLABELED), then at
 * least one data row, every row as wide as the header, every cell a finite number.
 * RFC 4180 quoting is understood within a line (a quoted cell cannot span lines); a UTF-8
 * byte-order mark and CRLF line ends are accepted; blank lines are skipped. Line numbers in
 * messages count from 1 at the header, as an editor shows them.
 */
export async function validateDatasetUpload(
  source: AsyncIterable<Buffer | string>,
  opts: DatasetValidationOptions = {},
): Promise<DatasetUploadMetadata> {
  let header: string[] | null = null;
  let rows = 0;
  const minLineBytes = opts.maxLineBytes ?? 1024 * 1024;
  const limit = { bytes: opts.maxHeaderBytes ?? 16 * 1024 * 1024, why: "the limit for a header line" };
  for await (const { line, number } of lines(source, limit)) {
    const text = number === 1 ? line.replace(/^\uFEFF/, "") : line;
    if (text.trim() === "") continue;
    const cells = splitCsvLine(text, number);
    if (header === null) {
      header = checkHeader(cells, number);
      limit.bytes = Math.max(minLineBytes, header.length * BYTES_PER_CELL);
      limit.why = `the limit for a CSV of ${header.length} columns: ${BYTES_PER_CELL} bytes a cell, at least ${minLineBytes}`;
      continue;
    }
    if (cells.length !== header.length) {
      throw badInput(`CSV line ${number} has ${cells.length} cells, but the header has ${header.length} columns`);
    }
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c]!.trim();
      if (!NUMERIC.test(cell)) {
        throw badInput(
          `CSV line ${number}, column "${header[c]}": ${JSON.stringify(cells[c]!.slice(0, 40))} is not a number (every cell must be numeric)`,
        );
      }
      if (!Number.isFinite(Number(cell))) {
        throw badInput(
          `CSV line ${number}, column "${header[c]}": ${JSON.stringify(cell.slice(0, 40))} is not a finite number`,
        );
      }
    }
    rows++;
  }
  if (header === null)
    throw badInput(
      'the CSV is empty: it needs a header row with a "label" column and at least one feature column, then data rows',
    );
  if (rows === 0) throw badInput("the CSV has a header but no data rows");
  const labelled = header.includes(LABEL);
  return {
    rows,
    columns: header,
    featureColumns: header.filter((h) => h !== LABEL),
    labelColumn: labelled ? LABEL : null,
  };
}

export function validateDatasetFile(path: string, opts?: DatasetValidationOptions): Promise<DatasetUploadMetadata> {
  return validateDatasetUpload(createReadStream(path), opts);
}

function checkHeader(cells: string[], number: number): string[] {
  const names = cells.map((c) => c.trim());
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === "") throw badInput(`CSV header (line ${number}): column ${i + 1} has no name`);
    if (seen.has(name)) throw badInput(`CSV header (line ${number}): column name "${name}" appears twice`);
    seen.add(name);
  });
  if (names.length < 2 && seen.has(LABEL))
    throw badInput('CSV header has only the "label" column; a dataset needs at least one feature column');
  return names;
}

/** Cells of one CSV line. Quoted cells may hold commas and "" for a quote. */
export function splitCsvLine(line: string, number: number): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw badInput(`CSV line ${number}: a quoted cell is not closed (quoted cells cannot span lines)`);
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
        throw badInput(`CSV line ${number}: text after a closing quote at character ${i + 1}`);
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

/**
 * Lines of a byte stream (LF or CRLF), each at most `limit.bytes` (read for every line), decoded
 * as UTF-8. Linear in the input however it is chunked: a line's pieces are joined once.
 */
async function* lines(
  source: AsyncIterable<Buffer | string>,
  limit: { bytes: number; why: string },
): AsyncGenerator<{ line: string; number: number }> {
  const decoder = new StringDecoder("utf8");
  let parts: string[] = [];
  let partsLength = 0;
  let number = 0;
  // Characters are at least one byte each, so a line longer in characters is over the limit.
  const tooLong = () => badInput(`CSV line ${number + 1} is longer than ${limit.bytes} bytes (${limit.why})`);
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
