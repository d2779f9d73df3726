import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { printServedSchema } from "../print.ts";

const repoRoot = fileURLToPath(new URL("../../../../../", import.meta.url));
const committedPath = fileURLToPath(new URL("../../../schema.graphql", import.meta.url));

describe("served schema", () => {
  it("apps/api/schema.graphql is up to date with the SDL under src/graphql/schema", () => {
    const committed = readFileSync(committedPath, "utf8");
    expect(committed, "apps/api/schema.graphql is stale: run `npm run schema:print` and commit the result").toBe(
      printServedSchema(),
    );
  });

  it("is a compatible superset of the shared contract (check.mjs --allow-missing exits 0)", () => {
    let output: string;
    let exitCode = 0;
    try {
      // The shared folder sits next to the repository (../shared), locally and in CI.
      output = execFileSync(
        process.execPath,
        ["../shared/contract/check.mjs", "--allow-missing", "apps/api/schema.graphql"],
        { cwd: repoRoot, encoding: "utf8", stdio: "pipe" },
      );
    } catch (e) {
      const err = e as { status?: number; stdout?: string; stderr?: string };
      exitCode = err.status ?? 1;
      output = `${err.stdout ?? ""}${err.stderr ?? ""}`;
    }
    expect(exitCode, `contract check failed:\n${output}`).toBe(0);
    expect(output).toMatch(/contract: 0 breaking change\(s\)/);
  });
});
