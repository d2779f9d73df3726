/**
 * npm run reference --workspace @costgate/ml [-- --seed 1234 --out <dir> --only digits-cnn,iris-mlp --with-large]
 * Generates the reference models and their CSVs (default: packages/ml/reference/generated/).
 * Without --only: the default models; --with-large adds the MobileNetV2 image models (minutes).
 */
import { parseArgs } from "node:util";
import { MlError } from "../src/errors.ts";
import { generateReferenceModels } from "../src/reference/generate.ts";
import {
  ALL_REFERENCE_MODELS,
  DEFAULT_REFERENCE_SEED,
  IMAGE_REFERENCE_MODELS,
  REFERENCE_DIR,
  type AnyReferenceModelName,
} from "../src/reference/reference-models.ts";

try {
  const { values } = parseArgs({
    options: {
      seed: { type: "string" },
      out: { type: "string" },
      only: { type: "string" },
      "with-large": { type: "boolean" },
    },
  });
  const seed = values.seed === undefined ? DEFAULT_REFERENCE_SEED : Number(values.seed);
  const names = ALL_REFERENCE_MODELS.map((m) => m.name as string);
  const only = values.only?.split(",").map((s) => s.trim());
  const unknown = only?.filter((n) => !names.includes(n)) ?? [];
  if (unknown.length > 0)
    throw new MlError("BAD_PARAM", `unknown reference model(s) ${unknown.join(", ")}; known: ${names.join(", ")}`);
  const outDir = values.out ?? REFERENCE_DIR;
  console.log(`generating reference models (seed ${seed}) into ${outDir}`);
  if (!only && !values["with-large"]) {
    console.log(
      `  (not the image models ${IMAGE_REFERENCE_MODELS.map((m) => m.name).join(", ")}: add --with-large or --only <name>)`,
    );
  }
  const m = await generateReferenceModels(outDir, {
    seed,
    ...(only ? { only: only as AnyReferenceModelName[] } : {}),
    ...(values["with-large"] ? { withLarge: true } : {}),
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`done in ${m.seconds.toFixed(1)} s on the ${m.backend} backend`);
} catch (e) {
  console.error(`reference generation failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
