import { createReadStream } from "node:fs";
import { readCsvDataset } from "@costgate/formats";
import { asBadInput } from "./format-refusal.ts";

/** What validation learned about a dataset; kept as Artifact.metadata. */
export interface DatasetUploadMetadata {
  /** Data rows (the header and blank lines not counted). */
  rows: number;
  columns: string[];
  featureColumns: string[];
  /**
   * The label column's name as the file writes it: `label` in any case (`Label`, `LABEL`); null
   * for inputs without labels (registrable only as an UNLABELED dataset).
   */
  labelColumn: string | null;
  /**
   * The label column's distinct values in numeric order (a classifier's classes), or null without a
   * label column or with more than MAX_LABEL_VALUES of them (a regression target).
   */
  labelValues: string[] | null;
}

const MAX_LABEL_VALUES = 1000;

export interface DatasetValidationOptions {
  /**
   * Longest data line held in memory, at the least; a CSV of many columns may have lines of up
   * to 32 bytes a column (BYTES_PER_CELL of @costgate/formats). Longer is refused.
   */
  maxLineBytes?: number;
  /** Longest header line (column names), default 16 MiB: over a million columns of short names. */
  maxHeaderBytes?: number;
}

/**
 * Validates a dataset CSV as it streams (memory bounded by the longest line) by the rules of
 * @costgate/formats, the ones @costgate/ml loads datasets by: a header with at most one label
 * column (`label` in any case; registerDataset decides by the role whether it must be there)
 * and at least one feature column, then data rows as wide as the header of finite numbers.
 * Throws BAD_USER_INPUT saying what is wrong and at which line and column.
 */
export async function validateDatasetUpload(
  source: AsyncIterable<Buffer | string>,
  opts: DatasetValidationOptions = {},
): Promise<DatasetUploadMetadata> {
  let labelIndex: number | null = null;
  let values: Set<number> | null = new Set();
  const { header, rows } = await asBadInput(() =>
    readCsvDataset(source, {
      limits: opts,
      label: "any",
      onHeader: (h) => (labelIndex = h.labelIndex),
      onRow: (row) => {
        if (labelIndex === null || values === null) return;
        values.add(row[labelIndex]!);
        if (values.size > MAX_LABEL_VALUES) values = null;
      },
    }),
  );
  const labelValues =
    header.labelIndex === null || values === null
      ? null
      : [...(values as Set<number>)].sort((a, b) => a - b).map(String);
  return {
    rows,
    columns: header.columns,
    featureColumns: header.featureColumns,
    labelColumn: header.labelColumn,
    labelValues,
  };
}

export function validateDatasetFile(path: string, opts?: DatasetValidationOptions): Promise<DatasetUploadMetadata> {
  return validateDatasetUpload(createReadStream(path), opts);
}
