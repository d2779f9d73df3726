// The e2e stack as a process: Playwright's global setup runs `node --import tsx e2e/support/stack-main.ts`,
// reads the line `STACK_READY <json>` from its stdout, and stops it with SIGTERM (or by closing its
// stdin: when the test runner dies, the stack stops and drops its database too).
//
// Besides the stack it prepares what the tests start from: one team with a user per role, the
// reference tabular-mlp files on disk, an empty model the ML engineer uploads into, and a second
// model with a READY version and an optimization job, for the pages the accessibility scan and
// the screenshots visit.
import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { ensureReferenceModels } from "@costgate/ml";
import { root, startStack, type Stack, type StackInfo } from "./stack.ts";

export interface E2eInfo extends StackInfo {
  reference: { modelFiles: string[]; train: string; evaluation: string; metric: number };
  models: { upload: { id: string; name: string }; demo: { id: string; name: string; versionId: string } };
  demoJobId: string;
  demoPolicyId: string;
  /** A monthly budget on the demo model (the budget page the scans visit). */
  demoBudget: { id: string; name: string };
}

const log = (line: string) => process.stderr.write(`[e2e stack] ${line}\n`);

async function upload(stack: Stack, kind: "model" | "dataset", paths: string[]): Promise<string> {
  const form = new FormData();
  form.append("kind", kind);
  for (const p of paths) form.append("file", new Blob([await readFile(p)]), basename(p));
  const res = await fetch(`${stack.info.apiUrl}/uploads`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.adminToken}` },
    body: form,
  });
  const body = (await res.json()) as { artifactId?: string; error?: { message: string } };
  if (!res.ok || !body.artifactId)
    throw new Error(
      `upload of ${paths.map((p) => basename(p)).join(", ")} refused (${res.status}): ${body.error?.message}`,
    );
  return body.artifactId;
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function prepare(stack: Stack): Promise<E2eInfo> {
  const started = Date.now();
  const manifest = await ensureReferenceModels(join(tmpdir(), "costgate-e2e-reference"), { only: ["tabular-mlp"] });
  const entry = manifest.models.find((m) => m.name === "tabular-mlp")!;
  const modelDir = dirname(entry.files.modelJson);
  const modelFiles = readdirSync(modelDir)
    .filter((f) => f === "model.json" || f.endsWith(".bin"))
    .map((f) => join(modelDir, f));
  log(`reference tabular-mlp ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const teamId = stack.info.teamId;
  const createModel = async (name: string, description: string) =>
    (
      await stack.gql<{ createModel: { id: string } }>(
        `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
        { i: { teamId, name, task: "CLASSIFICATION", description } },
      )
    ).createModel.id;

  const uploadModel = {
    id: await createModel("Churn classifier", "Predicts which customers cancel next month"),
    name: "Churn classifier",
  };

  const demoName = "Fraud scorer";
  const demoId = await createModel(demoName, "Scores card transactions for fraud");
  for (const [role, path] of [
    ["TRAIN", entry.files.train],
    ["EVALUATION", entry.files.evaluation],
  ] as const) {
    const artifactId = await upload(stack, "dataset", [path]);
    await stack.gql(`mutation($i:RegisterDatasetInput!){ registerDataset(input:$i){ id } }`, {
      i: { modelId: demoId, name: `${role.toLowerCase()}.csv`, role, artifactId },
    });
  }
  const artifactId = await upload(stack, "model", modelFiles);
  const { registerModelVersion } = await stack.gql<{ registerModelVersion: { id: string } }>(
    `mutation($i:RegisterModelVersionInput!){ registerModelVersion(input:$i){ id } }`,
    { i: { modelId: demoId, artifactId } },
  );
  const versionId = registerModelVersion.id;
  await until(
    "the demo version to be evaluated",
    async () => {
      const { modelVersion } = await stack.gql<{ modelVersion: { status: string; statusMessage: string | null } }>(
        `query($id:ID!){ modelVersion(id:$id){ status statusMessage } }`,
        { id: versionId },
      );
      if (modelVersion.status === "FAILED") throw new Error(`the demo version failed: ${modelVersion.statusMessage}`);
      return modelVersion.status === "READY";
    },
    180_000,
  );

  const { createOptimizationPolicy } = await stack.gql<{ createOptimizationPolicy: { id: string } }>(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId,
        name: "Quantize to uint8",
        maxAccuracyDrop: 0.01,
        steps: [{ kind: "QUANTIZE", params: { dtype: "uint8" } }],
      },
    },
  );
  const { runOptimizationPolicy } = await stack.gql<{ runOptimizationPolicy: { id: string } }>(
    `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
    { p: createOptimizationPolicy.id, v: versionId },
  );
  const demoBudgetName = "Fraud scorer serving";
  const { createBudget } = await stack.gql<{ createBudget: { id: string } }>(
    `mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id } }`,
    {
      i: {
        teamId,
        modelId: demoId,
        name: demoBudgetName,
        amountUsd: "400",
        period: "MONTHLY",
        alertThresholds: [0.5, 0.8, 1],
        action: "NOTIFY",
      },
    },
  );
  log(`demo data ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return {
    ...stack.info,
    reference: { modelFiles, train: entry.files.train, evaluation: entry.files.evaluation, metric: entry.value },
    models: { upload: uploadModel, demo: { id: demoId, name: demoName, versionId } },
    demoJobId: runOptimizationPolicy.id,
    demoPolicyId: createOptimizationPolicy.id,
    demoBudget: { id: createBudget.id, name: demoBudgetName },
  };
}

const stack = await startStack({
  logDir: process.env.COSTGATE_E2E_LOG_DIR ?? join(root, "e2e", "artifacts", "logs"),
  log,
});
let stopping: Promise<void> | undefined;
const shutdown = (why: string) => {
  stopping ??= (async () => {
    log(`stopping (${why})`);
    await stack.stop();
    process.exit(0);
  })();
  return stopping;
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
process.stdin.on("end", () => void shutdown("the test runner went away"));
process.stdin.on("close", () => void shutdown("the test runner went away"));
process.stdin.resume();

try {
  const info = await prepare(stack);
  process.stdout.write(`STACK_READY ${JSON.stringify(info)}\n`);
} catch (error) {
  log(`setup failed: ${(error as Error).stack ?? error}`);
  await stack.stop();
  process.exit(1);
}
