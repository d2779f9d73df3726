export * from "./env.ts";
export * from "./production-secrets.ts";
export { HttpDrain, stopOnSignals } from "./lifecycle.mjs";
