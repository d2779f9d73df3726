export * from "./errors.ts";
export * from "./roles.ts";
export * from "./principal.ts";
export * from "./permissions.ts";
export * from "./decimal.ts";
export * from "./passwords.ts";
export * from "./policy-steps.ts";
export * from "./guardrail.ts";
