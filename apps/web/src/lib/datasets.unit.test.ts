import { describe, expect, it } from "vitest";
import { labelsText, preprocessingText } from "./datasets";

describe("dataset descriptions", () => {
  it("lists a few labels and counts the rest; None without labels", () => {
    expect(labelsText(["a", "b"])).toBe("a, b");
    expect(labelsText(["a", "b", "c", "d", "e", "f"])).toBe("a, b, c, d and 2 more");
    expect(labelsText(null)).toBe("None");
  });
  it("says the scale in arithmetic and the per-channel mean and std", () => {
    expect(preprocessingText({ scale: "ZERO_ONE", mean: null, std: null })).toBe("x / 255");
    expect(preprocessingText({ scale: "RAW", mean: [1, 2, 3], std: [4, 5, 6] })).toBe(
      "raw 0–255, mean 1/2/3, std 4/5/6",
    );
    expect(preprocessingText(null)).toBe("—");
  });
});
