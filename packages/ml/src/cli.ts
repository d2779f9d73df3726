/**
 * costgate-ml: the @costgate/ml engine from a shell.
 *
 *   costgate-ml <command> <model.json> [options]
 *
 * Human-readable tables by default, one JSON document on stdout with --json.
 * Exit codes: 0 done, 1 failed (model, data, file system), 2 bad usage.
 */
import { COMMANDS } from "./cli-commands.ts";
import type { CommandContext } from "./cli-shared.ts";
import { UsageError } from "./cli-args.ts";
import { isMlError } from "./errors.ts";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    "Usage: costgate-ml <command> <model.json> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Every command takes --json (machine-readable output) and --help.",
    "Run `costgate-ml <command> --help` for its options.",
  ].join("\n");
}

/** Runs one CLI invocation; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "") {
    io.stderr(mainHelp());
    return 2;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout(mainHelp());
    return 0;
  }
  const spec = COMMANDS[command];
  if (!spec) {
    io.stderr(`costgate-ml: unknown command "${command}"\n\n${mainHelp()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(spec.help);
    return 0;
  }
  const json = rest.includes("--json");
  const ctx: CommandContext = {
    json,
    out: (text) => io.stdout(text),
    progress: (text) => {
      if (!json) io.stderr(text);
    },
  };
  try {
    await spec.run(rest, ctx);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`costgate-ml ${command}: ${e.message}\nRun \`costgate-ml ${command} --help\` for usage.`);
      return 2;
    }
    if (isMlError(e)) {
      io.stderr(`costgate-ml ${command}: ${e.message} [${e.code}]`);
      return e.code === "BAD_PARAM" ? 2 : 1;
    }
    io.stderr(`costgate-ml ${command}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
