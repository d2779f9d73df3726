// The issue-4 walkthrough, through the API alone: register a reference model with its
// datasets (HTTP uploads + GraphQL), wait for READY, run the three-step policy
// (structured prune → fine-tune → uint8), watch it to the end and print the numbers.
// Its own database, queue prefix and artifact folder; the worker measures with its
// production defaults. Usage: npx tsx scripts/walkthrough.ts [digits-cnn|tabular-mlp|iris-mlp]
import { pino } from "pino";
import { createWorker } from "../src/create-worker.ts";
import { loadWorkerEnv } from "../src/env.ts";
import { TestApi, registerReference, until, version, workerEnvFor } from "../test/flow.ts";

const name = (process.argv[2] ?? "digits-cnn") as "digits-cnn";
const api = await TestApi.start();
const env = workerEnvFor(api, {
  MEASURE_MIN_RUNS: "50",
  MEASURE_MIN_TIME_MS: "1000",
  MEASURE_ROUNDS: "6",
  LOG_LEVEL: "warn",
});
const worker = await createWorker(loadWorkerEnv(env), pino({ level: "warn" }));
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
try {
  const ref = await registerReference(api, name, "CLASSIFICATION");
  console.log(`[${secs()} s] registered ${name} version 1 (${ref.versionId})`);
  const source = await until(
    "READY",
    async () => {
      const v = await version(api, ref.versionId);
      return v.status !== "PENDING" ? v : undefined;
    },
    600_000,
    500,
  );
  console.log(
    `[${secs()} s] version 1 ${source.status}: accuracy ${source.evaluation?.value}, $/1M ${source.cost?.costPerMillionUsd}, p50 ${source.cost?.latencyP50Ms} ms, ${source.cost?.throughputPerSecond?.toFixed(0)} samples/s, ${source.cost?.modelSizeBytes} B`,
  );
  const { createOptimizationPolicy } = await api.ok<{ createOptimizationPolicy: { id: string } }>(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId: ref.teamId,
        name: "prune-tune-quantize",
        maxAccuracyDrop: 0.01,
        steps: [
          { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
          { kind: "FINE_TUNE", params: { epochs: 2, learningRate: 0.05, batchSize: 32, momentum: 0.9 } },
          { kind: "QUANTIZE", params: { dtype: "uint8" } },
        ],
      },
    },
  );
  const { runOptimizationPolicy: job } = await api.ok<{ runOptimizationPolicy: { id: string } }>(
    `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
    { p: createOptimizationPolicy.id, v: ref.versionId },
  );
  let last = "";
  const done = await until(
    "the job to end",
    async () => {
      const { optimizationJob: j } = await api.ok<{ optimizationJob: any }>(
        `query($id:ID!){ optimizationJob(id:$id){ status progress stage error result bestVersion { id number } } }`,
        { id: job.id },
      );
      const line = `${j.status} ${(j.progress * 100).toFixed(0)}% ${j.stage}`;
      if (line !== last) console.log(`[${secs()} s] ${(last = line)}`);
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
    },
    900_000,
    500,
  );
  console.log(JSON.stringify(done.result, null, 2));
  if (done.bestVersion) {
    const best = await version(api, done.bestVersion.id);
    console.log(
      `[${secs()} s] best: version ${best.number} (${best.source}), accuracy ${best.evaluation.value} vs ${source.evaluation.value}, $/1M ${best.cost.costPerMillionUsd} vs ${source.cost.costPerMillionUsd}, ${best.cost.modelSizeBytes} B vs ${source.cost.modelSizeBytes} B`,
    );
  }
} finally {
  await worker.close();
  await api.stop();
}
