import { tf } from "./tf.ts";

/**
 * A new LayersModel with the same architecture (same layer names) and a copy of every weight.
 * The clone is not compiled; the original is not touched.
 */
export async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const topology = model.toJSON(null, false);
  const clone = await tf.models.modelFromJSON({ modelTopology: topology } as unknown as Parameters<
    typeof tf.models.modelFromJSON
  >[0]);
  // setWeights copies the values into the clone's own variables.
  clone.setWeights(model.weights.map((w) => w.read()));
  return clone;
}
