import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtifactKind } from "@costgate/db";
import { TestApi } from "../../../../test/harness.ts";

const uid = () => randomBytes(4).toString("hex");
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

const CREATE_MODEL = `mutation($i:CreateModelInput!){ createModel(input:$i){ id name description task createdAt team { id } } }`;
const REGISTER_VERSION = `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id number source stage status notes parameterCount weightDtypes artifact { id } model { id } } }`;
const REGISTER_DATASET = `mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id name role rows artifact { id kind } } }`;
const UPSERT_PROFILE = `mutation($i:HardwareProfileInput!){ upsertHardwareProfile(input:$i){ id name hourlyPriceUsd vcpus memoryGiB isDefault description priceSource } }`;
const MODELS_PAGE = `query($t:ID,$s:String,$f:Int,$a:String){ models(teamId:$t, search:$s, first:$f, after:$a){ totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } }`;

type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { id: string; name: string } }[];
};

const WEIGHTS = [
  { name: "dense/kernel", shape: [4, 8], dtype: "float32", storedDtype: "float16" },
  { name: "dense/bias", shape: [8], dtype: "float32", storedDtype: "float32" },
  { name: "out/kernel", shape: [8, 3], dtype: "float32", storedDtype: "uint8" },
];

describe("registry", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let engineerA: { id: string; token: string };
  let engineerB: { id: string; token: string };
  let redis: Redis;
  let evaluateQueue: Queue;

  beforeAll(async () => {
    api = await TestApi.start();
    teamA = await api.createTeam();
    teamB = await api.createTeam();
    engineerA = await api.userToken("ML_ENGINEER", teamA);
    engineerB = await api.userToken("ML_ENGINEER", teamB);
    redis = new Redis(api.env.REDIS_URL, { maxRetriesPerRequest: null });
    evaluateQueue = new Queue("evaluate", { connection: redis, prefix: api.env.QUEUE_PREFIX });
  });
  afterAll(async () => {
    await evaluateQueue?.obliterate({ force: true }).catch(() => {});
    await evaluateQueue?.close();
    await redis?.quit();
    await api?.stop();
  });

  const admin = (query: string, variables: Record<string, unknown> = {}) => api.gql(query, variables, api.adminToken);
  const artifact = (
    kind: ArtifactKind,
    teamId: string | null,
    metadata: object = kind === "DATASET"
      ? { rows: 150, columns: ["a", "b", "label"] }
      : { parameterCount: 83, weights: WEIGHTS },
  ) =>
    api.db.artifact.create({
      data: {
        kind,
        sha256: randomBytes(32).toString("hex"),
        sizeBytes: 4096,
        files: [{ path: "model.json", sizeBytes: 4096, sha256: "0".repeat(64) }],
        metadata,
        teamId,
        createdBy: "system",
      },
    });
  const model = (teamId: string, name = `m-${uid()}`, extra: { description?: string; createdAt?: Date } = {}) =>
    api.db.model.create({ data: { teamId, name, task: "CLASSIFICATION", ...extra } });

  describe("createModel", () => {
    it("creates a model in the caller's team", async () => {
      const r = await api.ok<{
        createModel: {
          id: string;
          name: string;
          description: string;
          task: string;
          createdAt: string;
          team: { id: string };
        };
      }>(
        CREATE_MODEL,
        { i: { teamId: teamA, name: "Fraud v2", description: "  card fraud  ", task: "CLASSIFICATION" } },
        engineerA.token,
      );
      expect(r.createModel).toMatchObject({
        name: "Fraud v2",
        description: "card fraud",
        task: "CLASSIFICATION",
        team: { id: teamA },
      });
      expect(Number.isNaN(Date.parse(r.createModel.createdAt))).toBe(false);
    });

    it.each([
      ["an empty name", { name: "  " }, "name"],
      ["a name with a slash", { name: "a/b" }, "name"],
      ["a name over 120 characters", { name: "x".repeat(121) }, "name"],
      ["an empty teamId", { teamId: "" }, "teamId"],
    ])("refuses %s with BAD_USER_INPUT naming the field", async (_what, over, field) => {
      const r = await api.gql(
        CREATE_MODEL,
        { i: { teamId: teamA, name: "ok", task: "REGRESSION", ...over } },
        engineerA.token,
      );
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toContain(field);
    });

    it("keeps a classifier's class names in output order, and serves none as null", async () => {
      const named = await api.ok<{ createModel: { id: string; classNames: string[] | null } }>(
        `mutation($i:CreateModelInput!){ createModel(input:$i){ id classNames } }`,
        { i: { teamId: teamA, name: `pets-${uid()}`, task: "CLASSIFICATION", classNames: ["cat", "dog", "bird"] } },
        engineerA.token,
      );
      expect(named.createModel.classNames).toEqual(["cat", "dog", "bird"]);
      const read = await api.ok<{ model: { classNames: string[] | null } }>(
        `query($id:ID!){ model(id:$id){ classNames } }`,
        { id: named.createModel.id },
        engineerA.token,
      );
      expect(read.model.classNames).toEqual(["cat", "dog", "bird"]);
      const unnamed = await api.ok<{ createModel: { classNames: string[] | null } }>(
        `mutation($i:CreateModelInput!){ createModel(input:$i){ classNames } }`,
        { i: { teamId: teamA, name: `plain-${uid()}`, task: "CLASSIFICATION" } },
        engineerA.token,
      );
      expect(unnamed.createModel.classNames).toBeNull();
    });

    it.each([
      [
        "two names that differ only in case",
        ["cat", "Cat"],
        "CLASSIFICATION",
        /classNames: class names 0 and 1 are both "Cat"/,
      ],
      ["an empty list", [], "CLASSIFICATION", /classNames: give at least one class name/],
      ["class names on a regression model", ["a", "b"], "REGRESSION", /only a classifier's outputs are classes/],
    ])("refuses %s, creating nothing", async (_what, classNames, task, expected) => {
      const name = `bad-classes-${uid()}`;
      const r = await api.gql(CREATE_MODEL, { i: { teamId: teamA, name, task, classNames } }, engineerA.token);
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toMatch(expected);
      expect(await api.db.model.count({ where: { name } })).toBe(0);
    });

    it("refuses an unknown task with BAD_USER_INPUT", async () => {
      const r = await api.gql(CREATE_MODEL, { i: { teamId: teamA, name: "ok", task: "CLUSTERING" } }, engineerA.token);
      expect(code(r)).toBe("BAD_USER_INPUT");
    });

    it("refuses a duplicate name in the same team with CONFLICT; another team may use it", async () => {
      const name = `dup-${uid()}`;
      await api.ok(CREATE_MODEL, { i: { teamId: teamA, name, task: "REGRESSION" } }, engineerA.token);
      const r = await api.gql(CREATE_MODEL, { i: { teamId: teamA, name, task: "CLASSIFICATION" } }, engineerA.token);
      expect(code(r)).toBe("CONFLICT");
      expect(message(r)).toContain(name);
      const other = await api.gql(CREATE_MODEL, { i: { teamId: teamB, name, task: "REGRESSION" } }, engineerB.token);
      expect(other.errors).toBeUndefined();
      expect(await api.db.model.count({ where: { name } })).toBe(2);
    });

    it("refuses another team's model with FORBIDDEN and an unknown team with NOT_FOUND", async () => {
      const name = `x-${uid()}`;
      expect(
        code(await api.gql(CREATE_MODEL, { i: { teamId: teamB, name, task: "REGRESSION" } }, engineerA.token)),
      ).toBe("FORBIDDEN");
      expect(code(await admin(CREATE_MODEL, { i: { teamId: "no-such-team", name, task: "REGRESSION" } }))).toBe(
        "NOT_FOUND",
      );
      expect(await api.db.model.count({ where: { name } })).toBe(0);
    });
  });

  describe("models and model", () => {
    let teamS: string;
    let viewerS: string;
    beforeAll(async () => {
      teamS = await api.createTeam();
      viewerS = (await api.userToken("VIEWER", teamS)).token;
      await model(teamS, "Fraud Detector", { description: "Catches card FRAUD at checkout" });
      await model(teamS, "churn-model", { description: "Predicts churn" });
      await model(teamS, "Ranker");
      await model(teamB, "fraud-b", { description: "another team's fraud model" });
    });

    const names = (page: Page) => page.edges.map((e) => e.node.name).sort();

    it("searches name and description case-insensitively within the team", async () => {
      const byName = (await api.ok<{ models: Page }>(MODELS_PAGE, { t: teamS, s: "fraud" })).models;
      expect(names(byName)).toEqual(["Fraud Detector"]);
      expect(byName.totalCount).toBe(1);
      expect(names((await api.ok<{ models: Page }>(MODELS_PAGE, { t: teamS, s: "CHURN" })).models)).toEqual([
        "churn-model",
      ]);
      expect(names((await api.ok<{ models: Page }>(MODELS_PAGE, { t: teamS, s: "checkout" })).models)).toEqual([
        "Fraud Detector",
      ]);
      expect(names((await api.ok<{ models: Page }>(MODELS_PAGE, { t: teamS, s: "  " })).models)).toEqual([
        "Fraud Detector",
        "Ranker",
        "churn-model",
      ]);
      expect(
        (await api.ok<{ models: Page }>(MODELS_PAGE, { t: teamS, s: "nothing-like-this" })).models.totalCount,
      ).toBe(0);
      // Without a team filter an admin searches every team.
      expect(names((await api.ok<{ models: Page }>(MODELS_PAGE, { s: "FRAUD" })).models)).toEqual(
        expect.arrayContaining(["Fraud Detector", "fraud-b"]),
      );
    });

    it("shows a non-admin only its own team's models", async () => {
      const own = (await api.ok<{ models: Page }>(MODELS_PAGE, { s: "fraud" }, viewerS)).models;
      expect(names(own)).toEqual(["Fraud Detector"]);
      expect(code(await api.gql(MODELS_PAGE, { t: teamB }, viewerS))).toBe("FORBIDDEN");
    });

    it("pages through every model exactly once, newest first, also when models share a creation time", async () => {
      const teamP = await api.createTeam();
      const same = new Date("2026-01-01T00:00:00.000Z");
      const created = [
        await model(teamP, "p-old", { createdAt: new Date("2025-01-01T00:00:00.000Z") }),
        await model(teamP, "p-tie-1", { createdAt: same }),
        await model(teamP, "p-tie-2", { createdAt: same }),
        await model(teamP, "p-tie-3", { createdAt: same }),
        await model(teamP, "p-new", { createdAt: new Date("2026-06-01T00:00:00.000Z") }),
      ];
      const expected = [...created]
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .map((m) => m.id);

      const seen: string[] = [];
      const flags: boolean[] = [];
      let after: string | null = null;
      for (let i = 0; i < 5; i++) {
        const page: Page = (await api.ok<{ models: Page }>(MODELS_PAGE, { t: teamP, f: 2, a: after })).models;
        expect(page.totalCount).toBe(5);
        seen.push(...page.edges.map((e) => e.node.id));
        flags.push(page.pageInfo.hasNextPage);
        if (page.edges.length) expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1]!.cursor);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(flags).toEqual([true, true, false]);
      expect(seen).toEqual(expected);
    });

    it.each([
      ["a cursor it never gave out", { a: "not-a-cursor" }, "after"],
      ["first: 0", { f: 0 }, "first"],
      ["first: 101", { f: 101 }, "first"],
      ["first: -1", { f: -1 }, "first"],
    ])("refuses %s with BAD_USER_INPUT", async (_what, vars, field) => {
      const r = await admin(MODELS_PAGE, { t: teamS, ...vars });
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toContain(field);
      expect(r.errors?.[0]?.extensions?.field).toBe(field);
    });

    it("model(id): the model for its team, null for another team as when unknown", async () => {
      const m = await model(teamS, `one-${uid()}`, { description: "d" });
      const q = `query($id:ID!){ model(id:$id){ id name description task team { id } productionVersion { id } datasets { id } versions { totalCount } } }`;
      const own = await api.ok<{ model: Record<string, unknown> }>(q, { id: m.id }, viewerS);
      expect(own.model).toEqual({
        id: m.id,
        name: m.name,
        description: "d",
        task: "CLASSIFICATION",
        team: { id: teamS },
        productionVersion: null,
        datasets: [],
        versions: { totalCount: 0 },
      });
      const other = await api.gql<{ model: unknown }>(q, { id: m.id }, engineerB.token);
      expect(other.errors).toBeUndefined();
      expect(other.data?.model).toBeNull();
      expect((await api.ok<{ model: unknown }>(q, { id: "no-such-model" })).model).toBeNull();
    });
  });

  describe("registerModelVersion", () => {
    it("makes version 1 PENDING from an upload, with the artifact's parameter count and dtypes, and enqueues its evaluation", async () => {
      const m = await model(teamA);
      const a = await artifact("TFJS_LAYERS_MODEL", teamA);
      const r = await api.ok<{ registerModelVersion: Record<string, unknown> & { id: string } }>(
        REGISTER_VERSION,
        { i: { modelId: m.id, artifactId: a.id, notes: "first upload" } },
        engineerA.token,
      );
      expect(r.registerModelVersion).toMatchObject({
        number: 1,
        source: "UPLOAD",
        stage: "CANDIDATE",
        status: "PENDING",
        notes: "first upload",
        parameterCount: 83,
        weightDtypes: ["float16", "float32", "uint8"],
        artifact: { id: a.id },
        model: { id: m.id },
      });

      const job = await evaluateQueue.getJob(`evaluate-${r.registerModelVersion.id}`);
      expect(job).toBeDefined();
      expect(job!.data).toEqual({ versionId: r.registerModelVersion.id });

      const audit = await api.db.auditEvent.findMany({ where: { entityId: r.registerModelVersion.id } });
      expect(audit).toEqual([
        expect.objectContaining({ action: "version.register", actor: `user:${engineerA.id}`, teamId: teamA }),
      ]);
    });

    it("numbers 10 concurrent registrations on one model 1..10 with no duplicates or gaps, each with its job", async () => {
      const m = await model(teamA);
      const artifacts = await Promise.all(Array.from({ length: 10 }, () => artifact("TFJS_LAYERS_MODEL", teamA)));
      const results = await Promise.all(
        artifacts.map((a) =>
          api.gql<{ registerModelVersion: { id: string; number: number } }>(
            REGISTER_VERSION,
            { i: { modelId: m.id, artifactId: a.id } },
            engineerA.token,
          ),
        ),
      );
      for (const r of results) expect(r.errors).toBeUndefined();
      const versions = results.map((r) => r.data!.registerModelVersion);
      expect(versions.map((v) => v.number).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await api.db.modelVersion.count({ where: { modelId: m.id } })).toBe(10);

      const jobs = await Promise.all(versions.map((v) => evaluateQueue.getJob(`evaluate-${v.id}`)));
      expect(jobs.map((j) => j?.data.versionId)).toEqual(versions.map((v) => v.id));

      const listed = await api.ok<{
        model: { versions: { totalCount: number; edges: { node: { number: number } }[] } };
      }>(
        `query($id:ID!){ model(id:$id){ versions(first:3){ totalCount edges { node { number } } } } }`,
        { id: m.id },
        engineerA.token,
      );
      expect(listed.model.versions.totalCount).toBe(10);
      expect(listed.model.versions.edges.map((e) => e.node.number)).toEqual([10, 9, 8]);
    });

    it("refuses a DATASET artifact as a model with BAD_USER_INPUT naming artifactId", async () => {
      const m = await model(teamA);
      const r = await api.gql(
        REGISTER_VERSION,
        { i: { modelId: m.id, artifactId: (await artifact("DATASET", teamA)).id } },
        engineerA.token,
      );
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toContain("artifactId");
      expect(await api.db.modelVersion.count({ where: { modelId: m.id } })).toBe(0);
    });

    it("answers NOT_FOUND for an unknown model or artifact", async () => {
      const m = await model(teamA);
      const a = await artifact("TFJS_LAYERS_MODEL", teamA);
      const noModel = await api.gql(
        REGISTER_VERSION,
        { i: { modelId: "no-such-model", artifactId: a.id } },
        engineerA.token,
      );
      expect(code(noModel)).toBe("NOT_FOUND");
      expect(message(noModel)).toContain("no-such-model");
      const noArtifact = await api.gql(
        REGISTER_VERSION,
        { i: { modelId: m.id, artifactId: "no-such-artifact" } },
        engineerA.token,
      );
      expect(code(noArtifact)).toBe("NOT_FOUND");
      expect(message(noArtifact)).toContain("no-such-artifact");
      expect(await api.db.modelVersion.count({ where: { modelId: m.id } })).toBe(0);
    });

    it("refuses another team's artifact, and another team's model, as not found", async () => {
      const m = await model(teamA);
      const foreign = await artifact("TFJS_LAYERS_MODEL", teamB);
      expect(
        code(await api.gql(REGISTER_VERSION, { i: { modelId: m.id, artifactId: foreign.id } }, engineerA.token)),
      ).toBe("NOT_FOUND");
      const mB = await model(teamB);
      expect(
        code(
          await api.gql(
            REGISTER_VERSION,
            { i: { modelId: mB.id, artifactId: (await artifact("TFJS_LAYERS_MODEL", teamA)).id } },
            engineerA.token,
          ),
        ),
      ).toBe("NOT_FOUND");
      expect(await api.db.modelVersion.count({ where: { modelId: { in: [m.id, mB.id] } } })).toBe(0);
    });
  });

  describe("registerDataset", () => {
    it("takes the row count from the artifact and lists the dataset on the model", async () => {
      const m = await model(teamA);
      const a = await artifact("DATASET", teamA, { rows: 1234, columns: ["x", "y"] });
      const r = await api.ok<{ registerDataset: { id: string } }>(
        REGISTER_DATASET,
        { i: { modelId: m.id, name: "holdout", role: "EVALUATION", artifactId: a.id } },
        engineerA.token,
      );
      expect(r.registerDataset).toMatchObject({
        name: "holdout",
        role: "EVALUATION",
        rows: 1234,
        artifact: { id: a.id, kind: "DATASET" },
      });
      const listed = await api.ok<{ model: { datasets: { id: string; rows: number }[] } }>(
        `query($id:ID!){ model(id:$id){ datasets { id rows } } }`,
        { id: m.id },
        engineerA.token,
      );
      expect(listed.model.datasets).toEqual([{ id: r.registerDataset.id, rows: 1234 }]);
    });

    it("refuses a duplicate name on the same model with CONFLICT", async () => {
      const m = await model(teamA);
      await api.ok(
        REGISTER_DATASET,
        { i: { modelId: m.id, name: "train", role: "TRAIN", artifactId: (await artifact("DATASET", teamA)).id } },
        engineerA.token,
      );
      const r = await api.gql(
        REGISTER_DATASET,
        { i: { modelId: m.id, name: "train", role: "EVALUATION", artifactId: (await artifact("DATASET", teamA)).id } },
        engineerA.token,
      );
      expect(code(r)).toBe("CONFLICT");
      expect(message(r)).toContain("train");
      expect(await api.db.dataset.count({ where: { modelId: m.id } })).toBe(1);
    });

    const inputsOnly = { rows: 40, columns: ["a", "b"], featureColumns: ["a", "b"], labelColumn: null };
    const withLabels = { rows: 40, columns: ["a", "label"], featureColumns: ["a"], labelColumn: "label" };

    it("registers a CSV of inputs without a label column as UNLABELED", async () => {
      const m = await model(teamA);
      const a = await artifact("DATASET", teamA, inputsOnly);
      const r = await api.ok<{ registerDataset: { role: string; rows: number } }>(
        REGISTER_DATASET,
        { i: { modelId: m.id, name: "traffic", role: "UNLABELED", artifactId: a.id } },
        engineerA.token,
      );
      expect(r.registerDataset).toMatchObject({ role: "UNLABELED", rows: 40 });
    });

    it.each(["TRAIN", "EVALUATION"])("refuses inputs without labels as %s, pointing to UNLABELED", async (role) => {
      const m = await model(teamA);
      const a = await artifact("DATASET", teamA, inputsOnly);
      const r = await api.gql(
        REGISTER_DATASET,
        { i: { modelId: m.id, name: "x", role, artifactId: a.id } },
        engineerA.token,
      );
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toBe(
        `a ${role} dataset needs a "label" column; this CSV has none (columns: "a", "b"). Register inputs without labels with role UNLABELED`,
      );
      expect(await api.db.dataset.count({ where: { modelId: m.id } })).toBe(0);
    });

    it("refuses a label column in an UNLABELED dataset instead of silently dropping it", async () => {
      const m = await model(teamA);
      for (const metadata of [withLabels, { ...inputsOnly, columns: ["a", "Label"] }]) {
        const r = await api.gql(
          REGISTER_DATASET,
          {
            i: {
              modelId: m.id,
              name: `u-${uid()}`,
              role: "UNLABELED",
              artifactId: (await artifact("DATASET", teamA, metadata)).id,
            },
          },
          engineerA.token,
        );
        expect(code(r)).toBe("BAD_USER_INPUT");
        expect(message(r)).toMatch(
          /^an UNLABELED dataset holds inputs only, but this CSV has a "(label|Label)" column: remove the column, or register the file as TRAIN or EVALUATION$/,
        );
      }
      expect(await api.db.dataset.count({ where: { modelId: m.id } })).toBe(0);
    });

    it("refuses a model artifact as a dataset with BAD_USER_INPUT", async () => {
      const m = await model(teamA);
      const r = await api.gql(
        REGISTER_DATASET,
        {
          i: {
            modelId: m.id,
            name: "oops",
            role: "TRAIN",
            artifactId: (await artifact("TFJS_LAYERS_MODEL", teamA)).id,
          },
        },
        engineerA.token,
      );
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toContain("artifactId");
      expect(await api.db.dataset.count({ where: { modelId: m.id } })).toBe(0);
    });
  });

  describe("modelVersion", () => {
    it("answers lineage, artifact, evaluation, costs and the latest cost per hardware profile", async () => {
      const m = await model(teamA);
      const a = await artifact("TFJS_LAYERS_MODEL", teamA);
      const parent = (
        await api.ok<{ registerModelVersion: { id: string } }>(
          REGISTER_VERSION,
          { i: { modelId: m.id, artifactId: a.id } },
          engineerA.token,
        )
      ).registerModelVersion;
      const child = await api.db.modelVersion.create({
        data: {
          modelId: m.id,
          number: 2,
          source: "PRUNE",
          recipe: { method: "magnitude", sparsity: 0.5 },
          parentId: parent.id,
          artifactId: a.id,
          weightDtypes: ["float32"],
          createdBy: "system",
        },
      });
      const dataset = await api.db.dataset.create({
        data: {
          modelId: m.id,
          name: "eval",
          role: "EVALUATION",
          rows: 200,
          artifactId: (await artifact("DATASET", teamA)).id,
        },
      });
      await api.db.evaluation.create({
        data: {
          versionId: parent.id,
          datasetId: dataset.id,
          metric: "accuracy",
          value: 0.9125,
          loss: 0.25,
          samples: 200,
          evaluatedAt: new Date("2026-02-01T10:00:00Z"),
        },
      });

      const profiles = await api.db.hardwareProfile.findMany();
      const def = profiles.find((p) => p.isDefault)!;
      const gpu = profiles.find((p) => p.name === "g5.xlarge")!;
      const measurement = (hardwareProfileId: string, measuredAt: string, costPerMillionUsd: string) =>
        api.db.costMeasurement.create({
          data: {
            versionId: parent.id,
            hardwareProfileId,
            backend: "tensorflow",
            batchSize: 32,
            latencyP50Ms: 1.5,
            latencyP95Ms: 2.5,
            latencyP99Ms: 3.5,
            throughputPerSecond: 200,
            peakMemoryBytes: 1_000_000,
            modelSizeBytes: 4096,
            loadTimeMs: 12,
            macsPerInference: 1e4,
            costPerMillionUsd,
            runs: 50,
            measuredAt: new Date(measuredAt),
          },
        });
      const older = await measurement(def.id, "2026-02-01T10:00:00Z", "0.2");
      const latest = await measurement(def.id, "2026-02-02T10:00:00Z", "0.123456");
      const onGpu = await measurement(gpu.id, "2026-02-01T12:00:00Z", "2.5");

      const q = `query($id:ID!,$hw:ID){ modelVersion(id:$id){
        id number parent { id } children { id number source recipe parent { id } }
        artifact { id kind sizeBytes sha256 }
        evaluation { metric value loss samples evaluatedAt dataset { id name } }
        costs { id costPerMillionUsd hardwareProfile { name } }
        cost { id costPerMillionUsd batchSize latencyP50Ms runs hardwareProfile { id isDefault } }
        gpu: cost(hardwareProfileId:$hw) { id costPerMillionUsd hardwareProfile { name } }
      } }`;
      const v = (await api.ok<{ modelVersion: Record<string, any> }>(q, { id: parent.id, hw: gpu.id }, engineerA.token))
        .modelVersion;
      expect(v.parent).toBeNull();
      expect(v.children).toEqual([
        {
          id: child.id,
          number: 2,
          source: "PRUNE",
          recipe: { method: "magnitude", sparsity: 0.5 },
          parent: { id: parent.id },
        },
      ]);
      expect(v.artifact).toEqual({ id: a.id, kind: "TFJS_LAYERS_MODEL", sizeBytes: 4096, sha256: a.sha256 });
      expect(v.evaluation).toEqual({
        metric: "accuracy",
        value: 0.9125,
        loss: 0.25,
        samples: 200,
        evaluatedAt: "2026-02-01T10:00:00.000Z",
        dataset: { id: dataset.id, name: "eval" },
      });
      expect(v.costs.map((c: { id: string }) => c.id)).toEqual([latest.id, onGpu.id, older.id]);
      expect(v.cost).toEqual({
        id: latest.id,
        costPerMillionUsd: "0.123456",
        batchSize: 32,
        latencyP50Ms: 1.5,
        runs: 50,
        hardwareProfile: { id: def.id, isDefault: true },
      });
      expect(v.gpu).toEqual({ id: onGpu.id, costPerMillionUsd: "2.50", hardwareProfile: { name: "g5.xlarge" } });
      expect(v.costs.find((c: { id: string }) => c.id === older.id).costPerMillionUsd).toBe("0.20");

      const c = (
        await api.ok<{
          modelVersion: { parent: { id: string }; children: unknown[]; evaluation: null; costs: unknown[]; cost: null };
        }>(
          `query($id:ID!){ modelVersion(id:$id){ parent { id } children { id } evaluation { value } costs { id } cost { id } } }`,
          { id: child.id },
          engineerA.token,
        )
      ).modelVersion;
      expect(c).toEqual({ parent: { id: parent.id }, children: [], evaluation: null, costs: [], cost: null });
    });

    it("is null to another team, as when unknown", async () => {
      const m = await model(teamA);
      const v = await api.db.modelVersion.create({
        data: {
          modelId: m.id,
          number: 1,
          source: "UPLOAD",
          artifactId: (await artifact("TFJS_LAYERS_MODEL", teamA)).id,
          createdBy: "system",
        },
      });
      const q = `query($id:ID!){ modelVersion(id:$id){ id number } }`;
      const r = await api.gql<{ modelVersion: unknown }>(q, { id: v.id }, engineerB.token);
      expect(r.errors).toBeUndefined();
      expect(r.data?.modelVersion).toBeNull();
      expect((await api.ok<{ modelVersion: unknown }>(q, { id: "no-such-version" })).modelVersion).toBeNull();
    });
  });

  describe("hardware profiles", () => {
    type Profile = { id: string; name: string; hourlyPriceUsd: string; isDefault: boolean };
    const list = async () =>
      (
        await api.ok<{ hardwareProfiles: Profile[] }>(
          `{ hardwareProfiles { id name hourlyPriceUsd isDefault } }`,
          {},
          engineerA.token,
        )
      ).hardwareProfiles;
    const upsert = (input: Record<string, unknown>, token = api.adminToken) =>
      api.gql<{ upsertHardwareProfile: Profile & Record<string, unknown> }>(
        UPSERT_PROFILE,
        { i: { vcpus: 2, memoryGiB: 4, ...input } },
        token,
      );

    it("serves the four seeded profiles, c7i.large the one default at 0.08925", async () => {
      const profiles = await list();
      expect(profiles.map((p) => p.name).sort()).toEqual(["c7g.large", "c7i.large", "g5.xlarge", "m7i.xlarge"]);
      expect(profiles.filter((p) => p.isDefault)).toEqual([
        expect.objectContaining({ name: "c7i.large", hourlyPriceUsd: "0.08925" }),
      ]);
      expect(profiles.find((p) => p.name === "g5.xlarge")!.hourlyPriceUsd).toBe("1.006");
    });

    it("creates and updates by name; making one the default leaves exactly one default", async () => {
      // Profiles are global: an ADMIN's to change (FINANCE is refused: hardware-profiles.test.ts).
      const admin = { id: (await api.ok<{ me: { id: string } }>(`{ me { id } }`)).me.id, token: api.adminToken };
      const name = `hw-${uid()}`;
      const created = await upsert(
        {
          name,
          hourlyPriceUsd: "12.5",
          vcpus: 8,
          memoryGiB: 32,
          description: "big box",
          priceSource: "quote 2026-01",
          isDefault: true,
        },
        admin.token,
      );
      expect(created.errors).toBeUndefined();
      expect(created.data!.upsertHardwareProfile).toMatchObject({
        name,
        hourlyPriceUsd: "12.50",
        vcpus: 8,
        memoryGiB: 32,
        isDefault: true,
        description: "big box",
        priceSource: "quote 2026-01",
      });
      let profiles = await list();
      expect(profiles.filter((p) => p.isDefault).map((p) => p.name)).toEqual([name]);

      // Updating by name keeps the row (same id), and fields left out keep their values.
      const updated = await upsert({ name, hourlyPriceUsd: "0.000001", vcpus: 8, memoryGiB: 32 }, admin.token);
      expect(updated.data!.upsertHardwareProfile).toMatchObject({
        id: created.data!.upsertHardwareProfile.id,
        hourlyPriceUsd: "0.000001",
        isDefault: true,
        description: "big box",
      });
      expect((await list()).length).toBe(profiles.length);

      // A new profile without isDefault does not take the default.
      const plain = await upsert({ name: `hw-${uid()}`, hourlyPriceUsd: "0.1" });
      expect(plain.data!.upsertHardwareProfile.isDefault).toBe(false);

      // Un-defaulting the default is refused: there must be one.
      const undefault = await upsert({ name, hourlyPriceUsd: "0.000001", isDefault: false });
      expect(code(undefault)).toBe("BAD_USER_INPUT");
      expect(message(undefault)).toContain("isDefault");

      // Back to c7i.large; its price stays as seeded.
      const back = await upsert({ name: "c7i.large", hourlyPriceUsd: "0.08925", isDefault: true });
      expect(back.data!.upsertHardwareProfile).toMatchObject({
        isDefault: true,
        description: "AWS Intel Sapphire Rapids, 2 vCPU, 4 GiB",
      });
      profiles = await list();
      expect(profiles.filter((p) => p.isDefault).map((p) => p.name)).toEqual(["c7i.large"]);
      expect(await api.db.hardwareProfile.count({ where: { isDefault: true } })).toBe(1);

      const audit = await api.db.auditEvent.findMany({
        where: { entityId: created.data!.upsertHardwareProfile.id },
        orderBy: { createdAt: "asc" },
      });
      // The refused un-default wrote nothing.
      expect(audit.map((e) => [e.action, e.actor])).toEqual([
        ["hardware_profile.create", `user:${admin.id}`],
        ["hardware_profile.update", `user:${admin.id}`],
      ]);
      expect((audit[1]!.before as { hourlyPriceUsd: string }).hourlyPriceUsd).toBe("12.5");
      expect((audit[1]!.after as { hourlyPriceUsd: string }).hourlyPriceUsd).toBe("0.000001");
    });

    it.each([
      ["0", "0"],
      ["-1", "-1"],
      ["abc", "abc"],
      ["a float 0.5", 0.5],
      ["7 decimals", "1.1234567"],
      ["an exponent", "1e3"],
    ])("refuses price %s with BAD_USER_INPUT naming hourlyPriceUsd, writing nothing", async (_what, price) => {
      const name = `bad-${uid()}`;
      const r = await upsert({ name, hourlyPriceUsd: price });
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toContain("hourlyPriceUsd");
      expect(r.status).toBeLessThan(500);
      expect(await api.db.hardwareProfile.count({ where: { name } })).toBe(0);
    });

    it("refuses a float literal written in the query as a Decimal", async () => {
      const r = await admin(
        `mutation{ upsertHardwareProfile(input:{ name:"literal", hourlyPriceUsd: 0.5, vcpus: 2, memoryGiB: 4 }){ id } }`,
      );
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toMatch(/string/);
      expect(r.status).toBe(400);
      expect(await api.db.hardwareProfile.count({ where: { name: "literal" } })).toBe(0);
    });
  });

  describe("auditEvents", () => {
    type Events = {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: { id: string; actor: string; action: string; entityType: string; entityId: string } }[];
    };
    const Q = `query($type:String,$id:ID,$actor:String,$action:String,$f:Int,$a:String){ auditEvents(entityType:$type, entityId:$id, actor:$actor, action:$action, first:$f, after:$a){ totalCount pageInfo { hasNextPage endCursor } edges { node { id actor action entityType entityId } } } }`;
    let teamQ: string;
    let author: { id: string; token: string };
    const madeModels: string[] = [];
    let foreignModel: string;

    beforeAll(async () => {
      teamQ = await api.createTeam();
      author = await api.userToken("ML_ENGINEER", teamQ);
      for (let i = 0; i < 5; i++) {
        madeModels.push(
          (
            await api.ok<{ createModel: { id: string } }>(
              CREATE_MODEL,
              { i: { teamId: teamQ, name: `audited-${i}`, task: "REGRESSION" } },
              author.token,
            )
          ).createModel.id,
        );
      }
      foreignModel = (
        await api.ok<{ createModel: { id: string } }>(
          CREATE_MODEL,
          { i: { teamId: teamB, name: `foreign-${uid()}`, task: "REGRESSION" } },
          engineerB.token,
        )
      ).createModel.id;
    });

    it("filters by actor, action, entityType and entityId", async () => {
      const byActor = (await api.ok<{ auditEvents: Events }>(Q, { actor: `user:${author.id}` })).auditEvents;
      expect(byActor.totalCount).toBe(5);
      expect(byActor.edges.map((e) => e.node.entityId).sort()).toEqual([...madeModels].sort());
      expect(byActor.edges.every((e) => e.node.action === "model.create" && e.node.entityType === "Model")).toBe(true);

      const one = (await api.ok<{ auditEvents: Events }>(Q, { type: "Model", id: madeModels[2] })).auditEvents;
      expect(one.edges.map((e) => [e.node.action, e.node.actor])).toEqual([["model.create", `user:${author.id}`]]);

      const byAction = (await api.ok<{ auditEvents: Events }>(Q, { action: "model.create", f: 100 })).auditEvents;
      expect(byAction.edges.every((e) => e.node.action === "model.create")).toBe(true);
      expect(byAction.edges.map((e) => e.node.entityId)).toEqual(expect.arrayContaining([...madeModels, foreignModel]));

      expect(
        (await api.ok<{ auditEvents: Events }>(Q, { type: "Team", id: madeModels[0] })).auditEvents.totalCount,
      ).toBe(0);
    });

    it("pages newest first without repeating or skipping", async () => {
      const seen: string[] = [];
      let after: string | null = null;
      const flags: boolean[] = [];
      for (let i = 0; i < 5; i++) {
        const page: Events = (await api.ok<{ auditEvents: Events }>(Q, { actor: `user:${author.id}`, f: 2, a: after }))
          .auditEvents;
        expect(page.totalCount).toBe(5);
        seen.push(...page.edges.map((e) => e.node.entityId));
        flags.push(page.pageInfo.hasNextPage);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(flags).toEqual([true, true, false]);
      expect(seen).toEqual([...madeModels].reverse());
      expect(code(await admin(Q, { f: 0 }))).toBe("BAD_USER_INPUT");
      expect(code(await admin(Q, { a: "garbage" }))).toBe("BAD_USER_INPUT");
    });

    it("shows a non-admin only its own team's events", async () => {
      const own = (await api.ok<{ auditEvents: Events }>(Q, { type: "Model", f: 100 }, author.token)).auditEvents;
      expect(own.edges.map((e) => e.node.entityId).sort()).toEqual([...madeModels].sort());
      const peek = (await api.ok<{ auditEvents: Events }>(Q, { id: foreignModel }, author.token)).auditEvents;
      expect(peek.totalCount).toBe(0);
      expect(peek.edges).toEqual([]);
      const all = (await api.ok<{ auditEvents: Events }>(Q, { id: foreignModel })).auditEvents;
      expect(all.totalCount).toBe(1);
    });
  });
});
