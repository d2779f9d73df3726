import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPixelTable, checkImagePreprocessing, decodeImageTensorsHeader, pixelTable } from "@costgate/formats";
import { solidImage, uploadFiles, writeImageModel, zipOf } from "@costgate/testkit";
import { TestApi } from "../../../../test/harness.ts";

const REGISTER = `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id name role rows format labels preprocessing artifact { id } } }`;
const REGISTER_VERSION = `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id } }`;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

describe("registerDataset: image datasets", () => {
  let api: TestApi;
  let team: string;
  let other: { token: string };
  let engineer: { token: string };
  let dir: string;

  beforeAll(async () => {
    api = await TestApi.start();
    team = await api.createTeam();
    engineer = await api.userToken("ML_ENGINEER", team);
    other = await api.userToken("ML_ENGINEER", await api.createTeam());
    dir = await mkdtemp(join(tmpdir(), "costgate-image-datasets-"));
  });
  afterAll(async () => {
    await api?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const uploadBytes = async (name: string, bytes: Buffer) => {
    await writeFile(join(dir, name), bytes);
    return (
      await uploadFiles({ url: api.url, adminToken: api.adminToken }, "dataset", [join(dir, name)], engineer.token)
    ).artifactId;
  };
  const register = (input: Record<string, unknown>) => api.gql(REGISTER, { i: input }, engineer.token);

  /** A model of the team with these class names and, unless `versionless`, a version of an h x w x c image model. */
  async function modelWith(classNames: string[], shape: [number, number, number] | null) {
    const model = await api.db.model.create({
      data: { teamId: team, name: `m-${Math.random().toString(36).slice(2, 8)}`, task: "CLASSIFICATION", classNames },
    });
    if (shape) {
      const files = await writeImageModel(await mkdtemp(join(dir, "model-")), shape);
      const up = await uploadFiles({ url: api.url, adminToken: api.adminToken }, "model", files, engineer.token);
      await api.ok(REGISTER_VERSION, { i: { modelId: model.id, artifactId: up.artifactId } }, engineer.token);
    }
    return model;
  }

  const colours = { red: [200, 30, 10], green: [20, 180, 40], blue: [5, 60, 250] } as const;
  let labelled: string;
  let unlabeled: string;
  beforeAll(async () => {
    const img = (c: readonly number[], size = { width: 20, height: 16 }) =>
      solidImage(c as [number, number, number], size);
    labelled = await uploadBytes(
      "shapes.zip",
      await zipOf({
        "red/a.png": await img(colours.red),
        "green/b.png": await img(colours.green, { width: 7, height: 9 }),
        "blue/c.png": await img(colours.blue),
        "red/d.png": await img(colours.red, { width: 300, height: 200 }),
      }),
    );
    unlabeled = await uploadBytes(
      "inputs.zip",
      await zipOf({ "a.png": await img(colours.red), "b.png": await img(colours.blue) }),
    );
  });

  it("decodes the images once at the model's input size; rows, format, labels and preprocessing are served", async () => {
    const model = await modelWith(["red", "green", "blue"], [4, 5, 3]);
    const r = await api.ok<{ registerDataset: Record<string, unknown> & { id: string } }>(
      REGISTER,
      {
        i: {
          modelId: model.id,
          name: "train",
          role: "TRAIN",
          artifactId: labelled,
          preprocessing: { scale: "ZERO_ONE" },
        },
      },
      engineer.token,
    );
    expect(r.registerDataset).toMatchObject({
      rows: 4,
      format: "images",
      labels: ["blue", "green", "red"],
      preprocessing: { scale: "ZERO_ONE", mean: null, std: null },
      artifact: { id: labelled },
    });

    // The decoded file: 4 rows of 4x5x3 bytes in archive order, each the image's colour; labels by classNames.
    const row = await api.db.dataset.findUniqueOrThrow({
      where: { id: r.registerDataset.id },
      include: { decodedArtifact: true },
    });
    expect(row.decodedArtifact).toMatchObject({ kind: "IMAGE_TENSORS", teamId: team });
    const sha = row.decodedArtifact!.sha256;
    const bytes = await readFile(join(api.env.ARTIFACT_DIR, "objects", sha.slice(0, 2), sha, "images.bin"));
    const header = decodeImageTensorsHeader(bytes.subarray(0, 32), bytes.length);
    expect(header).toEqual({ rows: 4, height: 4, width: 5, channels: 3, labelled: true });
    const order = [colours.red, colours.green, colours.blue, colours.red];
    const table = pixelTable(checkImagePreprocessing({ scale: "ZERO_ONE" }, 3), 3);
    order.forEach((c, i) => {
      const pixels = bytes.subarray(32 + i * 60, 32 + (i + 1) * 60);
      const inputs = new Float32Array(60);
      applyPixelTable(pixels, table, 3, inputs);
      // A solid colour stays exactly that colour through the resize: x / 255 exactly.
      expect(Array.from(inputs)).toEqual(Array.from({ length: 20 }, () => c.map((v) => Math.fround(v / 255))).flat());
    });
    expect(
      Array.from(new Int32Array(bytes.buffer.slice(bytes.byteOffset + 32 + 240, bytes.byteOffset + bytes.length))),
    ).toEqual([0, 1, 2, 0]);

    // Thumbnails: the decoded images as PNGs, to the team only.
    const thumb = await fetch(`${api.url}/datasets/${r.registerDataset.id}/thumbnails/2.png`, {
      headers: { authorization: `Bearer ${engineer.token}` },
    });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/png");
    const { data, info } = await sharp(Buffer.from(await thumb.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([5, 4, 3]);
    expect(Array.from(data.subarray(0, 3))).toEqual([...colours.blue]);
    const get = (path: string, token?: string) =>
      fetch(`${api.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await get(`/datasets/${r.registerDataset.id}/thumbnails/0.png`, other.token)).status).toBe(404);
    expect((await get(`/datasets/${r.registerDataset.id}/thumbnails/0.png`)).status).toBe(401);
    const past = await get(`/datasets/${r.registerDataset.id}/thumbnails/4.png`, engineer.token);
    expect(past.status).toBe(404);
    expect(((await past.json()) as { error: { message: string } }).error.message).toMatch(/thumbnails 0 to 3/);
  });

  it("one channel for a greyscale model, mean and std kept as given, UNLABELED without labels", async () => {
    const model = await modelWith([], [3, 3, 1]);
    const r = await api.ok<{ registerDataset: Record<string, unknown> & { id: string } }>(
      REGISTER,
      {
        i: {
          modelId: model.id,
          name: "inputs",
          role: "UNLABELED",
          artifactId: unlabeled,
          preprocessing: { scale: "MINUS_ONE_ONE", mean: [0.5], std: [0.25] },
        },
      },
      engineer.token,
    );
    expect(r.registerDataset).toMatchObject({
      rows: 2,
      format: "images",
      labels: null,
      preprocessing: { scale: "MINUS_ONE_ONE", mean: [0.5], std: [0.25] },
    });
    const row = await api.db.dataset.findUniqueOrThrow({
      where: { id: r.registerDataset.id },
      include: { decodedArtifact: true },
    });
    expect(row.decodedArtifact!.metadata).toMatchObject({ rows: 2, height: 3, width: 3, channels: 1, labelled: false });
  });

  it("refuses a label the model does not have, listing the ones it has", async () => {
    const model = await modelWith(["red", "green"], [4, 4, 3]);
    const r = await register({ modelId: model.id, name: "train", role: "TRAIN", artifactId: labelled });
    expect(message(r)).toBe(
      'label "blue" is not a class of the model; its classes are "red", "green" (or their indices 0 to 1)',
    );
    expect(await api.db.dataset.count({ where: { modelId: model.id } })).toBe(0);
  });

  it("refuses preprocessing that does not fit the model's channels, and preprocessing of a CSV", async () => {
    const model = await modelWith(["red", "green", "blue"], [4, 4, 3]);
    const base = { modelId: model.id, name: "train", role: "TRAIN", artifactId: labelled };
    expect(message(await register({ ...base, preprocessing: { mean: [0.5] } }))).toBe(
      "mean has 1 value, but the model's images have 3 channels: give one per channel",
    );
    expect(message(await register({ ...base, preprocessing: { std: [1, 0, 1] } }))).toBe(
      "std[1] is 0; every std must be greater than 0",
    );
    const csv = await uploadBytes("train.csv", Buffer.from("a,label\n1,0\n2,1\n"));
    expect(message(await register({ ...base, artifactId: csv, preprocessing: { scale: "RAW" } }))).toMatch(
      /^preprocessing is for image datasets/,
    );
    expect(await api.db.dataset.count({ where: { modelId: model.id } })).toBe(0);
  });

  it("refuses labels where the role has none and none where it needs them", async () => {
    const model = await modelWith(["red", "green", "blue"], [4, 4, 3]);
    expect(message(await register({ modelId: model.id, name: "u", role: "UNLABELED", artifactId: labelled }))).toMatch(
      /^an UNLABELED dataset holds inputs only, but this archive is labelled \(label folders\)/,
    );
    expect(
      message(await register({ modelId: model.id, name: "e", role: "EVALUATION", artifactId: unlabeled })),
    ).toMatch(/^a EVALUATION dataset needs labels; this archive has none/);
  });

  it("a model without a version: says to register one first", async () => {
    const model = await modelWith(["red", "green", "blue"], null);
    expect(message(await register({ modelId: model.id, name: "t", role: "TRAIN", artifactId: labelled }))).toMatch(
      /has no version yet: image datasets are decoded at the model's input size, which its model\.json gives\. Register a version first/,
    );
  });

  it("a CSV dataset is served as format csv with its label values", async () => {
    const model = await modelWith([], [4, 4, 3]);
    const csv = await uploadBytes("eval.csv", Buffer.from("a,label\n1,1\n2,0\n3,1\n"));
    const r = await api.ok<{ registerDataset: Record<string, unknown> }>(
      REGISTER,
      { i: { modelId: model.id, name: "eval", role: "EVALUATION", artifactId: csv } },
      engineer.token,
    );
    expect(r.registerDataset).toMatchObject({ format: "csv", rows: 3, labels: ["0", "1"], preprocessing: null });
  });
});
