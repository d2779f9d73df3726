export * from "./queues.ts";
export * from "./connection.ts";
export * from "./producer.ts";
