/**
 * The single TensorFlow.js namespace used by every file of @costgate/ml.
 *
 * Importing '@tensorflow/tfjs' and the wasm backend from one place keeps one
 * tfjs-core engine in the process (kernels, backends and gradients registered
 * once). Call `initBackend()` (src/backend.ts) before creating any tensor:
 * importing the wasm backend makes it the top-priority backend, and wasm must
 * finish its asynchronous initialisation first.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

export { tf };
