// A version's cost measurement written straight to a test database (no TensorFlow): for tests and
// benchmarks of what is decided or served from stored numbers.
import type { Db } from "@costgate/db";

export const storeCost = (db: Db, versionId: string, hardwareProfileId: string, costPerMillionUsd: string) =>
  db.costMeasurement.create({
    data: {
      versionId,
      hardwareProfileId,
      backend: "wasm",
      batchSize: 32,
      latencyP50Ms: 1,
      latencyP95Ms: 1,
      latencyP99Ms: 1,
      throughputPerSecond: 1000,
      peakMemoryBytes: 1,
      modelSizeBytes: 1,
      loadTimeMs: 1,
      macsPerInference: 1,
      costPerMillionUsd,
      runs: 10,
    },
  });
