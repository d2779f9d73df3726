import { describe, expect, it } from "vitest";
import { validateDatasetUpload } from "./validate-dataset-upload.ts";

/** Feeds text in small chunks, so lines and multi-byte characters straddle chunk boundaries. */
async function* chunks(text: string, size = 3): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const validate = (text: string, maxLineBytes?: number) => validateDatasetUpload(chunks(text), { maxLineBytes });

describe("validateDatasetUpload", () => {
  it("accepts a numeric CSV with a label column and counts its rows", async () => {
    await expect(validate("a,b,label\n1,2,0\n3.5,-4e2,1\n.5,+6.,2\n")).resolves.toEqual({
      rows: 3,
      columns: ["a", "b", "label"],
      featureColumns: ["a", "b"],
      labelColumn: "label",
      labelValues: ["0", "1", "2"],
    });
  });

  it("records the label column's distinct values in numeric order, or null when there are over 1000", async () => {
    await expect(validate("a,label\n1,10\n2,2\n3,10\n4,0.5\n")).resolves.toMatchObject({
      labelValues: ["0.5", "2", "10"],
    });
    const many = Array.from({ length: 1001 }, (_, i) => `1,${i}`).join("\n");
    await expect(validate(`a,label\n${many}\n`)).resolves.toMatchObject({ rows: 1001, labelValues: null });
  });

  it("matches the label column in any case, as @costgate/ml does, and records its name as written", async () => {
    await expect(validate("a,Label\n1,0\n")).resolves.toEqual({
      rows: 1,
      columns: ["a", "Label"],
      featureColumns: ["a"],
      labelColumn: "Label",
      labelValues: ["0"],
    });
    await expect(validate("LABEL,b\n1,0\n")).resolves.toMatchObject({ featureColumns: ["b"], labelColumn: "LABEL" });
  });

  it("accepts inputs without a label column (an UNLABELED dataset's file), saying so", async () => {
    await expect(validate("a,b\n1,2\n3,4\n")).resolves.toEqual({
      rows: 2,
      columns: ["a", "b"],
      featureColumns: ["a", "b"],
      labelColumn: null,
      labelValues: null,
    });
  });

  it("accepts CRLF, a byte-order mark, quoted cells, blank lines and no final newline", async () => {
    const meta = await validate('\uFEFF"x","label"\r\n"1",0\r\n\r\n 2 ,1');
    expect(meta).toMatchObject({ rows: 2, columns: ["x", "label"] });
  });

  const refusals: [string, string, RegExp][] = [
    ["an empty file", "", /the CSV is empty/],
    ["a header without data", "a,label\n", /has a header but no data rows/],
    [
      "two label columns",
      "label,a,Label\n1,2,3\n",
      /columns 1 \("label"\) and 3 \("Label"\) all name the label column/,
    ],
    ["only a label column", "label\n1\n", /at least one feature column/],
    ["an empty column name", "a,,label\n1,2,3\n", /column 2 has no name/],
    ["a duplicate column", "a,a,label\n1,2,3\n", /column name "a" appears twice/],
    ["a ragged row", "a,b,label\n1,2,3\n4,5\n", /CSV line 3 has 2 cells, but the header has 3 columns/],
    ["a text cell", "a,b,label\n1,2,3\n4,cat,5\n", /CSV line 3, column "b" \(2\): "cat" is not a number/],
    ["an empty cell", "a,label\n1,\n", /CSV line 2, column "label" \(2\): "" is not a number/],
    ["a hex cell", "a,label\n0x10,1\n", /"0x10" is not a number/],
    ["Infinity", "a,label\nInfinity,1\n", /"Infinity" is not a number/],
    ["an overflowing number", "a,label\n1e999,1\n", /"1e999" is not a finite number/],
    ["an unclosed quote", 'a,label\n"1,2\n', /CSV line 2: a quoted cell is not closed/],
  ];
  it.each(refusals)("refuses %s, saying where", async (_what, text, message) => {
    await expect(validate(text)).rejects.toThrow(message);
    await expect(validate(text)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("refuses a line longer than the limit without holding it", async () => {
    // two columns: 64 bytes (32 a cell) beat the 50 asked for
    await expect(validate(`a,label\n${"1".repeat(100)},1\n`, 50)).rejects.toThrow(
      /CSV line 2 is longer than 64 bytes \(the limit for a CSV of 2 columns/,
    );
    await expect(validate(`a,label\n${"1".repeat(100)}`, 50)).rejects.toThrow(/CSV line 2 is longer than 64 bytes/);
    await expect(
      validateDatasetUpload(chunks(`${"a".repeat(200)},label\n1,1\n`), { maxHeaderBytes: 100 }),
    ).rejects.toThrow(/CSV line 1 is longer than 100 bytes \(the limit for a header line\)/);
  });

  it("gives a CSV of many columns room for its lines: 150,528 pixels of an image a row", async () => {
    const columns = 224 * 224 * 3;
    const header = [...Array.from({ length: columns }, (_, i) => `x${i}`), "label"].join(",");
    const row = [...Array.from({ length: columns }, (_, i) => ((i % 255) / 255).toFixed(6)), "3"].join(",");
    // the header alone is over 1 MiB, each row about 1.2 MB
    expect(header.length).toBeGreaterThan(1024 * 1024);
    const meta = await validateDatasetUpload(chunks(`${header}\n${row}\n${row}\n`, 64 * 1024), {});
    expect(meta).toMatchObject({ rows: 2, featureColumns: expect.any(Array) });
    expect(meta.featureColumns).toHaveLength(columns);
    // still bounded: 32 bytes a cell
    await expect(validate(`a,label\n${"1".repeat(1024 * 1024 + 1)},1\n`)).rejects.toThrow(
      /CSV line 2 is longer than 1048576 bytes \(the limit for a CSV of 2 columns: 32 bytes a cell, at least 1048576\)/,
    );
  });
});
