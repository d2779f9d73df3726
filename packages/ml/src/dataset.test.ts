import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { datasetFromArrays, disposeDataset, loadCsvDataset, splitDataset, writeCsvDataset } from "./dataset.ts";
import { tf } from "./tf.ts";

let root: string;
let n = 0;
async function csv(text: string): Promise<string> {
  const p = join(root, `d${++n}.csv`);
  await writeFile(p, text);
  return p;
}

beforeAll(async () => {
  await initBackend();
  root = await mkdtemp(join(tmpdir(), "costgate-dataset-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A 224x224x3 image classifier's evaluation set in the documented flat layout: x0 … x150527, then label. */
function imageCsv(rows: number): string {
  const width = 224 * 224 * 3;
  const header = [...Array.from({ length: width }, (_, i) => `x${i}`), "label"].join(",");
  const lines = Array.from(
    { length: rows },
    (_, r) =>
      `${Array(width)
        .fill((r + 1) / 10)
        .join(",")},${r}`,
  );
  return `${header}\n${lines.join("\n")}\n`;
}

describe("loadCsvDataset", () => {
  it("reads a 150,528-column CSV (one 224x224x3 image a row) into image tensors", async () => {
    const path = await csv(imageCsv(3));
    const ds = await loadCsvDataset(path, { inputShape: [224, 224, 3], task: "classification" });
    expect(ds.xs.shape).toEqual([3, 224, 224, 3]);
    expect(Array.from(ds.ys.dataSync())).toEqual([0, 1, 2]);
    expect(ds.xs.slice([2, 223, 223, 2], [1, 1, 1, 1]).dataSync()[0]).toBeCloseTo(0.3);
    disposeDataset(ds);
  });

  it("reads features in column order, reshaped to the input shape, with integer labels", async () => {
    const p = await csv("a,b,label,c,d\n1,2,0,3,4\n5,6,2,7,8\n");
    const ds = await loadCsvDataset(p, { inputShape: [2, 2, 1], task: "classification" });
    expect(ds.rows).toBe(2);
    expect(ds.featureCount).toBe(4);
    expect(ds.numClasses).toBe(3);
    expect(ds.xs.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(ds.xs.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ds.ys.dtype).toBe("int32");
    expect(Array.from(ds.ys.dataSync())).toEqual([0, 2]);
    disposeDataset(ds);
  });

  it("reads regression targets as a [rows, 1] float tensor", async () => {
    const p = await csv("x1,x2,label\n0.5,-1e-3,3.25\n2,3,-0.5\n");
    const ds = await loadCsvDataset(p, { inputShape: [2], task: "regression" });
    expect(ds.ys.shape).toEqual([2, 1]);
    expect(Array.from(ds.ys.dataSync())).toEqual([3.25, -0.5]);
    expect(Array.from(ds.xs.dataSync())).toEqual([0.5, -0.001, 2, 3].map(Math.fround));
    expect(ds.numClasses).toBeUndefined();
    disposeDataset(ds);
  });

  it("copes with CRLF line ends, a BOM, blank lines, spaces and quoted cells", async () => {
    const p = await csv('\uFEFF"f 1", f2 ,Label\r\n 1 ,"2",1\r\n\r\n3,4,0\r\n\r\n');
    const ds = await loadCsvDataset(p, { inputShape: [2], task: "classification" });
    expect(Array.from(ds.xs.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(ds.ys.dataSync())).toEqual([1, 0]);
    disposeDataset(ds);
  });

  it("stops reading at `limit` rows (a bad row further down is never read)", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i % 3}`);
    const p = await csv(`x,label\n${rows.join("\n")}\nnot-a-number,0\n`);
    const ds = await loadCsvDataset(p, { inputShape: [1], task: "classification", limit: 10 });
    expect(ds.rows).toBe(10);
    expect(Array.from(ds.xs.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    disposeDataset(ds);
    await expect(loadCsvDataset(p, { inputShape: [1], task: "classification" })).rejects.toThrow(/line 5002/);
  });

  it("says expected vs got when the width does not match the model", async () => {
    const p = await csv(`${Array.from({ length: 783 }, (_, i) => `p${i}`).join(",")},label\n`);
    await expect(loadCsvDataset(p, { inputShape: [28, 28, 1], task: "classification" })).rejects.toMatchObject({
      code: "BAD_DATASET",
      message: expect.stringContaining(
        "has 783 feature columns but the model input [28, 28, 1] needs 784 (expected 784, got 783)",
      ),
    });
  });

  it("names the line and column of a non-numeric cell", async () => {
    const p = await csv("height,weight,label\n1,2,0\n3,heavy,1\n");
    await expect(loadCsvDataset(p, { inputShape: [2], task: "classification" })).rejects.toMatchObject({
      code: "BAD_DATASET",
      message: expect.stringMatching(/line 3, column "weight" \(2\): "heavy" is not a number/),
    });
    const empty = await csv("a,b,label\n1,,0\n");
    await expect(loadCsvDataset(empty, { inputShape: [2], task: "classification" })).rejects.toThrow(
      /line 2, column "b" \(2\): "" is not a number/,
    );
  });

  it("refuses labels that are not class indices for classification", async () => {
    for (const label of ["cat", "-1", "1.5"]) {
      const p = await csv(`a,label\n1,0\n2,${label}\n`);
      await expect(loadCsvDataset(p, { inputShape: [1], task: "classification" }), label).rejects.toThrow(
        label === "cat"
          ? /line 3, column "label".*"cat" is not a number/
          : /line 3: label "(-1|1\.5)" is not a class index/,
      );
    }
    const p = await csv("a,label\n1,1.5\n");
    const ds = await loadCsvDataset(p, { inputShape: [1], task: "regression" });
    expect(ds.ys.dataSync()[0]).toBe(1.5);
    disposeDataset(ds);
  });

  it("refuses files without a label column, without rows, ragged rows and missing files", async () => {
    await expect(
      loadCsvDataset(await csv("a,b,target\n1,2,3\n"), { inputShape: [2], task: "regression" }),
    ).rejects.toThrow(/no "label" column; columns: "a", "b", "target"/);
    await expect(loadCsvDataset(await csv(""), { inputShape: [2], task: "regression" })).rejects.toThrow(/is empty/);
    await expect(loadCsvDataset(await csv("a,b,label\n"), { inputShape: [2], task: "regression" })).rejects.toThrow(
      /no data rows/,
    );
    await expect(
      loadCsvDataset(await csv("a,b,label\n1,2,3\n1,2\n"), { inputShape: [2], task: "regression" }),
    ).rejects.toThrow(/CSV line 3 has 2 cells, but the header has 3 columns/);
    await expect(
      loadCsvDataset(join(root, "absent.csv"), { inputShape: [2], task: "regression" }),
    ).rejects.toMatchObject({
      code: "BAD_DATASET",
      message: expect.stringContaining("no dataset file at"),
    });
    await expect(
      loadCsvDataset(await csv("a,label\n1,1\n"), { inputShape: [0], task: "regression" }),
    ).rejects.toMatchObject({ code: "BAD_PARAM" });
  });

  it("refuses what the upload refuses: two label columns, a hex cell, an unclosed quote", async () => {
    const refusals: [string, RegExp][] = [
      ["a,label,LABEL\n1,0,0\n", /columns 2 \("label"\) and 3 \("LABEL"\) all name the label column/],
      ["a,label\n0x10,1\n", /line 2, column "a" \(1\): "0x10" is not a number/],
      ['a,label\n"1,0\n', /line 2: a quoted cell is not closed/],
    ];
    for (const [text, message] of refusals) {
      await expect(loadCsvDataset(await csv(text), { inputShape: [1], task: "regression" })).rejects.toMatchObject({
        code: "BAD_DATASET",
        message: expect.stringMatching(message),
      });
    }
  });

  it("leaks no tensors, whether it succeeds or refuses", async () => {
    const good = await csv("a,label\n1,1\n2,0\n");
    const bad = await csv("a,label\n1,x\n");
    const before = tf.memory().numTensors;
    disposeDataset(await loadCsvDataset(good, { inputShape: [1], task: "classification" }));
    await expect(loadCsvDataset(bad, { inputShape: [1], task: "classification" })).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("writeCsvDataset", () => {
  it("writes what loadCsvDataset reads back", async () => {
    const p = join(root, "sub", "w.csv");
    const features = [0.1234567, -2, 3.5, 1e-7, 42, 0];
    const r = await writeCsvDataset(p, features, [1, 0, 2], { featureCount: 2, columns: ["x", "y"], digits: 4 });
    expect(r.rows).toBe(3);
    const ds = await loadCsvDataset(p, { inputShape: [2], task: "classification" });
    expect(Array.from(ds.xs.dataSync())).toEqual([0.1235, -2, 3.5, 0, 42, 0].map(Math.fround));
    expect(Array.from(ds.ys.dataSync())).toEqual([1, 0, 2]);
    disposeDataset(ds);
  });
});

describe("splitDataset", () => {
  it("splits rows in a seeded order: same seed same split, all rows used once", async () => {
    const ds = await datasetFromArrays(
      Array.from({ length: 20 }, (_, i) => i),
      Array.from({ length: 20 }, (_, i) => i % 4),
      { inputShape: [1], task: "classification" },
    );
    const a = splitDataset(ds, 0.25, 7);
    const b = splitDataset(ds, 0.25, 7);
    const c = splitDataset(ds, 0.25, 8);
    expect(a.validation.rows).toBe(5);
    expect(a.train.rows).toBe(15);
    const vals = (d: { xs: tf.Tensor }) => Array.from(d.xs.dataSync());
    expect(vals(a.validation)).toEqual(vals(b.validation));
    expect(vals(a.validation)).not.toEqual(vals(c.validation));
    expect([...vals(a.train), ...vals(a.validation)].sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    // labels travel with their rows
    const ys = Array.from(a.train.ys.dataSync());
    vals(a.train).forEach((x, i) => expect(ys[i]).toBe(x % 4));
    expect(a.train.numClasses).toBe(4);
    expect(() => splitDataset(ds, 1, 1)).toThrow(/between 0 and 1/);
    expect(() => splitDataset(ds, 0.01, 1)).toThrow(/leaves one side empty/);
    [ds, a.train, a.validation, b.train, b.validation, c.train, c.validation].forEach(disposeDataset);
  });
});
