// Prints the served schema to apps/api/schema.graphql (committed; a test fails when stale).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printServedSchema } from "../src/graphql/print.ts";

const target = fileURLToPath(new URL("../schema.graphql", import.meta.url));
writeFileSync(target, printServedSchema());
console.log(`wrote ${target}`);
