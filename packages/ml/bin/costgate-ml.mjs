#!/usr/bin/env node
// costgate-ml: runs src/cli.ts through tsx's loader (registered in this process, no build step).
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli.ts");
process.exitCode = await runCli(process.argv.slice(2));
