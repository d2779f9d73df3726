/**
 * npm run reference --workspace @costgate/ml [-- --seed 1234 --out <dir> --only digits-cnn,iris-mlp]
 * Generates the reference models and their CSVs (default: packages/ml/reference/generated/).
 */
import { parseArgs } from 'node:util';
import { MlError } from '../src/errors.ts';
import { generateReferenceModels } from '../src/reference/generate.ts';
import { DEFAULT_REFERENCE_SEED, REFERENCE_DIR, REFERENCE_MODELS, type ReferenceModelName } from '../src/reference/reference-models.ts';

try {
  const { values } = parseArgs({
    options: { seed: { type: 'string' }, out: { type: 'string' }, only: { type: 'string' } },
  });
  const seed = values.seed === undefined ? DEFAULT_REFERENCE_SEED : Number(values.seed);
  const names = REFERENCE_MODELS.map((m) => m.name as string);
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !names.includes(n)) ?? [];
  if (unknown.length > 0) throw new MlError('BAD_PARAM', `unknown reference model(s) ${unknown.join(', ')}; known: ${names.join(', ')}`);
  const outDir = values.out ?? REFERENCE_DIR;
  console.log(`generating reference models (seed ${seed}) into ${outDir}`);
  const m = await generateReferenceModels(outDir, {
    seed,
    ...(only ? { only: only as ReferenceModelName[] } : {}),
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`done in ${m.seconds.toFixed(1)} s on the ${m.backend} backend`);
} catch (e) {
  console.error(`reference generation failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
