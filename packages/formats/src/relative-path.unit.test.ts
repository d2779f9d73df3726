import { describe, expect, it } from "vitest";
import { checkRelativePath } from "./relative-path.ts";

describe("checkRelativePath", () => {
  it("accepts relative paths and drops a leading ./", () => {
    expect(checkRelativePath("group1-shard1of1.bin", "file")).toBe("group1-shard1of1.bin");
    expect(checkRelativePath("./weights/a.bin", "file")).toBe("weights/a.bin");
  });
  it.each([
    ["", /file is empty/],
    ["../a.bin", /contains "\.\."/],
    ["a/../../b", /contains "\.\."/],
    ["/abs.bin", /absolute path/],
    ["C:\\x.bin", /absolute path/],
    ["a\\b", /backslash/],
    ["a\0b", /NUL/],
    ["a\nb", /control character U\+000A/],
    ["a/./b", /"\." segment/],
    ["a//b", /empty segment/],
    ["dir/", /empty segment/],
    [`${"x".repeat(256)}.bin`, /longer than 255 bytes/],
  ])("refuses %j, saying why", (path, message) => {
    expect(() => checkRelativePath(path, "file")).toThrow(message);
    expect(() => checkRelativePath(path, "file")).toThrow(expect.objectContaining({ code: "BAD_PATH" }));
  });
  it("names the path in its message as the caller calls it", () => {
    expect(() => checkRelativePath("../w.bin", "model.json weightsManifest[0].paths[1]")).toThrow(
      'model.json weightsManifest[0].paths[1] "../w.bin" is not allowed: it contains ".." (no path may lead outside the folder of model.json)',
    );
  });
});
