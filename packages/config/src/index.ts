export * from "./env.ts";
export * from "./production-secrets.ts";
export * from "./http-drain.ts";
export * from "./shutdown.ts";
