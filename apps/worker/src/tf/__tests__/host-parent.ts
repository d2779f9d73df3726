// A stand-in for the worker process in tf-host.test.ts: starts a TensorFlow child on a long
// training, prints the child's pid once the training runs, then exits (`exit`) or waits to be
// killed (`wait`).
import { pino } from "pino";
import { TfHost } from "../tf-host.ts";

const [modelJsonPath, trainPath, how] = process.argv.slice(2) as [string, string, "exit" | "wait"];
const host = new TfHost({ name: "parent-test", logger: pino({ level: "silent" }), backend: "wasm" });
let told = false;
host
  .call(
    "applyStep",
    {
      step: { kind: "FINE_TUNE", params: { epochs: 500, learningRate: 0.01, batchSize: 8 } },
      modelJsonPath,
      task: "classification",
      train: { path: trainPath, task: "classification" },
      evaluation: null,
      unlabeled: null,
      teacherVersionId: "source-version",
      teacherModelJsonPath: "",
      maxAccuracyDrop: 0.01,
      seed: 1,
    },
    {
      onProgress: () => {
        if (told) return;
        told = true;
        process.stdout.write(`${host.pid}\n`);
        if (how === "exit") setTimeout(() => process.exit(1), 50);
      },
    },
  )
  .catch(() => undefined);
