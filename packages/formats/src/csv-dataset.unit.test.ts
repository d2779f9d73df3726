import { describe, expect, it } from "vitest";
import { checkCsvHeader, readCsvDataset, splitCsvLine } from "./csv-dataset.ts";

/** Feeds text in small chunks, so lines and multi-byte characters straddle chunk boundaries. */
async function* chunks(text: string, size = 3): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const read = (text: string, maxLineBytes?: number) => readCsvDataset(chunks(text), { limits: { maxLineBytes } });

describe("readCsvDataset", () => {
  it("accepts a numeric CSV with a label column and counts its rows", async () => {
    await expect(read("a,b,label\n1,2,0\n3.5,-4e2,1\n.5,+6.,2\n")).resolves.toEqual({
      rows: 3,
      header: { columns: ["a", "b", "label"], labelIndex: 2, labelColumn: "label", featureColumns: ["a", "b"] },
    });
  });

  it("matches the label column in any case, and answers its name as the file writes it", async () => {
    for (const name of ["label", "Label", "LABEL", "lAbEl"]) {
      const { header } = await read(`x,${name},y\n1,0,2\n`);
      expect(header).toEqual({
        columns: ["x", name, "y"],
        labelIndex: 1,
        labelColumn: name,
        featureColumns: ["x", "y"],
      });
    }
  });

  it("refuses a header with two columns that both match the label column, saying which", async () => {
    await expect(read("label,x,Label\n0,1,0\n")).rejects.toThrow(
      'CSV header (line 1): columns 1 ("label") and 3 ("Label") all name the label column ("label" is matched in any case); keep one',
    );
    await expect(read("LABEL,label,Label,x\n0,0,0,1\n")).rejects.toThrow(
      /columns 1 \("LABEL"\), 2 \("label"\) and 3 \("Label"\)/,
    );
  });

  it("accepts CRLF, a byte-order mark, quoted cells, blank lines and no final newline", async () => {
    const { header, rows } = await read('\uFEFF"x","label"\r\n"1",0\r\n\r\n 2 ,1');
    expect({ rows, columns: header.columns }).toEqual({ rows: 2, columns: ["x", "label"] });
  });

  it("hands each row's values and line to onRow, and stops when it answers false", async () => {
    const seen: [number[], number][] = [];
    const result = await readCsvDataset(chunks("a,label\n1,0\n\n2,1\n3,0\nnot-a-number,0\n"), {
      onHeader: (h, line) => expect([h.labelIndex, line]).toEqual([1, 1]),
      onRow: (values, line) => {
        seen.push([values, line]);
        return seen.length < 3;
      },
    });
    expect(seen).toEqual([
      [[1, 0], 2],
      [[2, 1], 4],
      [[3, 0], 5],
    ]);
    expect(result.rows).toBe(3);
  });

  it("lets a handler refuse the file with its own error", async () => {
    const mine = new Error("the model needs 2 features");
    await expect(
      readCsvDataset(chunks("a,label\n1,0\n"), {
        onHeader: () => {
          throw mine;
        },
      }),
    ).rejects.toBe(mine);
  });

  const refusals: [string, string, RegExp][] = [
    ["an empty file", "", /the CSV is empty/],
    ["blank lines only", "\n \n", /the CSV is empty/],
    ["a header without data", "a,label\n", /has a header but no data rows/],
    [
      "no label column",
      "a,b\n1,2\n",
      /CSV header has no "label" column; columns: "a", "b" \(the label column is named label, in any case\)/,
    ],
    [
      "only a label column",
      "Label\n1\n",
      /only the label column \("Label"\); a dataset needs at least one feature column/,
    ],
    ["an empty column name", "a,,label\n1,2,3\n", /CSV header \(line 1\): column 2 has no name/],
    ["a duplicate column", "a,a,label\n1,2,3\n", /column name "a" appears twice/],
    ["a ragged row", "a,b,label\n1,2,3\n4,5\n", /CSV line 3 has 2 cells, but the header has 3 columns/],
    [
      "a text cell",
      "a,b,label\n1,2,3\n4,cat,5\n",
      /CSV line 3, column "b" \(2\): "cat" is not a number \(every cell must be numeric\)/,
    ],
    ["an empty cell", "a,label\n1,\n", /CSV line 2, column "label" \(2\): "" is not a number/],
    ["a hex cell", "a,label\n0x10,1\n", /"0x10" is not a number/],
    ["Infinity", "a,label\nInfinity,1\n", /"Infinity" is not a number/],
    ["an overflowing number", "a,label\n1e999,1\n", /"1e999" is not a finite number/],
    ["an unclosed quote", 'a,label\n"1,2\n', /CSV line 2: a quoted cell is not closed/],
    ["text after a closing quote", 'a,label\n"1"x,2\n', /CSV line 2: text after a closing quote at character 4/],
  ];
  it.each(refusals)("refuses %s, saying where", async (_what, text, message) => {
    await expect(read(text)).rejects.toThrow(message);
    await expect(read(text)).rejects.toMatchObject({ code: "BAD_CSV" });
  });

  it("lists a few columns of a wide header that has no label column, not all of them", async () => {
    const header = Array.from({ length: 1000 }, (_, i) => `p${i}`).join(",");
    await expect(read(`${header}\n`)).rejects.toThrow(/columns: "p0", "p1", .*"p7" and 992 more \(/);
  });

  it("refuses a line longer than the limit without holding it", async () => {
    // two columns: 64 bytes (32 a cell) beat the 50 asked for
    await expect(read(`a,label\n${"1".repeat(100)},1\n`, 50)).rejects.toThrow(
      /CSV line 2 is longer than 64 bytes \(the limit for a CSV of 2 columns/,
    );
    await expect(read(`a,label\n${"1".repeat(100)}`, 50)).rejects.toThrow(/CSV line 2 is longer than 64 bytes/);
    await expect(
      readCsvDataset(chunks(`${"a".repeat(200)},label\n1,1\n`), { limits: { maxHeaderBytes: 100 } }),
    ).rejects.toThrow(/CSV line 1 is longer than 100 bytes \(the limit for a header line\)/);
    // no limit at all
    const long = `a,label\n0.${"0".repeat(2 * 1024 * 1024)}1,1\n`;
    await expect(
      readCsvDataset(chunks(long, 64 * 1024), { limits: { maxLineBytes: Infinity } }),
    ).resolves.toMatchObject({ rows: 1 });
  });

  it("gives a CSV of many columns room for its lines: 150,528 pixels of an image a row", async () => {
    const columns = 224 * 224 * 3;
    const header = [...Array.from({ length: columns }, (_, i) => `x${i}`), "label"].join(",");
    const row = [...Array.from({ length: columns }, (_, i) => ((i % 255) / 255).toFixed(6)), "3"].join(",");
    // the header alone is over 1 MiB, each row about 1.2 MB
    expect(header.length).toBeGreaterThan(1024 * 1024);
    const result = await readCsvDataset(chunks(`${header}\n${row}\n${row}\n`, 64 * 1024));
    expect(result.rows).toBe(2);
    expect(result.header.featureColumns).toHaveLength(columns);
    // still bounded: 32 bytes a cell
    await expect(read(`a,label\n${"1".repeat(1024 * 1024 + 1)},1\n`)).rejects.toThrow(
      /CSV line 2 is longer than 1048576 bytes \(the limit for a CSV of 2 columns: 32 bytes a cell, at least 1048576\)/,
    );
  });
});

describe("checkCsvHeader", () => {
  it("trims names and finds the label column", () => {
    expect(checkCsvHeader([" f 1 ", "LABEL "], 3)).toEqual({
      columns: ["f 1", "LABEL"],
      labelIndex: 1,
      labelColumn: "LABEL",
      featureColumns: ["f 1"],
    });
  });
});

describe("splitCsvLine", () => {
  it("splits plain and quoted cells with commas and doubled quotes", () => {
    expect(splitCsvLine("1,2,3", 1)).toEqual(["1", "2", "3"]);
    expect(splitCsvLine('"a,b","say ""hi""",c,', 1)).toEqual(["a,b", 'say "hi"', "c", ""]);
  });
});
