export * from "./passwords.ts";
export * from "./secret-box.ts";
export * from "./webhook-signature.ts";
