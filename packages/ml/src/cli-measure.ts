/** costgate-ml inspect and benchmark: what a model is made of, and what it costs to run here. */
import { num, parse, str, UsageError, type OptionSpec } from "./cli-args.ts";
import { COMMON, emit, modelPath, pct, withModel, type CommandSpec } from "./cli-shared.ts";
import { inspectModel } from "./inspect.ts";
import { measureCost, parseUsd } from "./measure-cost.ts";
import { formatBytes, formatCount, formatTable } from "./text-table.ts";

export const inspectCommand: CommandSpec = {
  summary: "layers, parameters (non-zero), weight storage, MACs per inference, file size",
  help: `Usage: costgate-ml inspect <model.json> [--json]

Options:
  --json                 print the inspection as JSON`,
  async run(argv, ctx) {
    const p = parse("inspect", argv, COMMON);
    const path = modelPath(p, "inspect");
    await withModel(path, async (model) => {
      const r = inspectModel(model, { modelJsonPath: path });
      emit(ctx, r, () =>
        [
          formatTable(
            ["layer", "type", "output shape", "params", "MACs"],
            r.layers.map((l) => [
              l.name,
              l.className,
              JSON.stringify(l.outputShape),
              l.params,
              l.macsKnown ? l.macs : "?",
            ]),
          ),
          "",
          formatTable(
            ["model", "parameters", "non-zero", "sparsity", "MACs", "weights", "files"],
            [
              [
                `${r.name} (${r.className})`,
                formatCount(r.parameterCount),
                formatCount(r.nonZeroParameterCount),
                pct(r.sparsity),
                formatCount(r.macs),
                `${formatBytes(r.weightStorageBytes)} ${Object.keys(r.parametersByStorageDtype).join("+")}`,
                r.fileSizeBytes === null ? "" : formatBytes(r.fileSizeBytes),
              ],
            ],
          ),
          ...(r.unknownLayers.length > 0 ? [`MACs unknown (counted 0): ${r.unknownLayers.join(", ")}`] : []),
        ].join("\n"),
      );
    });
  },
};

const benchmarkOptions: OptionSpec = {
  ...COMMON,
  price: { type: "string" },
  "batch-size": { type: "string" },
  "min-time": { type: "string" },
};

export const benchmarkCommand: CommandSpec = {
  summary: "latency (p50/p95/p99), throughput and $/1M inferences on this machine",
  help: `Usage: costgate-ml benchmark <model.json> [options]

Runs the model on this machine's tfjs backend (warm-up, then timed runs in rounds) and prices it:
$/1M = price per hour / (throughput per second × 3600) × 1e6.

Options:
  --price <usd>          hourly price of the machine in USD (default 0.08925, AWS c7i.large)
  --batch-size <n>       batch size of the throughput measurement (default 32)
  --min-time <ms>        minimum time of the timed batch-1 runs (default 1000)
  --json                 print the measurement as JSON`,
  async run(argv, ctx) {
    const p = parse("benchmark", argv, benchmarkOptions);
    const path = modelPath(p, "benchmark");
    const price = str(p, "price") ?? "0.08925";
    try {
      parseUsd(price, "--price");
    } catch (e) {
      throw new UsageError(`${(e as Error).message}`, "benchmark");
    }
    const batchSize = num(p, "batch-size", "benchmark", { min: 1, integer: true }) ?? 32;
    const minTimeMs = num(p, "min-time", "benchmark", { min: 0 });
    await withModel(path, async (model) => {
      const r = await measureCost(model, {
        hourlyPriceUsd: price,
        batchSize,
        modelJsonPath: path,
        ...(minTimeMs !== undefined ? { minTimeMs } : {}),
      });
      emit(ctx, r, () =>
        formatTable(
          [
            "backend",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            `samples/s @${r.batchSize}`,
            "$/1M",
            "MACs",
            "file",
            "load ms",
            "peak memory",
            "p50 spread",
          ],
          [
            [
              r.backend,
              r.latencyMs.p50.toFixed(3),
              r.latencyMs.p95.toFixed(3),
              r.latencyMs.p99.toFixed(3),
              Math.round(r.throughputPerSecond),
              `$${r.costPerMillionUsd}`,
              formatCount(r.macs),
              r.fileSizeBytes === null ? "" : formatBytes(r.fileSizeBytes),
              r.loadTimeMs === null ? "" : r.loadTimeMs.toFixed(1),
              formatBytes(r.peakMemoryBytes),
              pct(r.spread),
            ],
          ],
        ),
      );
    });
  },
};
