export * from "./env.ts";
export * from "./production-secrets.ts";
