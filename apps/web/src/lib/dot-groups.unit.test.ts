import { describe, expect, it } from "vitest";
import { groupOverlapping } from "./dot-groups";

const at = (item: string, x: number, y: number) => ({ item, x, y });
const names = (groups: { item: string }[][]) => groups.map((g) => g.map((p) => p.item));

describe("groupOverlapping", () => {
  it("leaves dots apart from each other alone", () => {
    expect(names(groupOverlapping([at("v1", 0, 0), at("v2", 20, 0), at("v3", 0, 20)], 12))).toEqual([
      ["v1"],
      ["v2"],
      ["v3"],
    ]);
  });
  it("draws dots at the same place, or closer than the distance, once, in the order given", () => {
    const groups = groupOverlapping([at("v1", 100, 50), at("v2", 300, 50), at("v3", 100, 50), at("v4", 105, 54)], 12);
    expect(names(groups)).toEqual([["v1", "v3", "v4"], ["v2"]]);
    expect(groups[0]![0]).toEqual(at("v1", 100, 50));
  });
  it("measures the distance to a group's first dot, so a chain of near dots does not grow without end", () => {
    expect(names(groupOverlapping([at("v1", 0, 0), at("v2", 10, 0), at("v3", 20, 0)], 12))).toEqual([
      ["v1", "v2"],
      ["v3"],
    ]);
  });
  it("has nothing to group in an empty chart", () => {
    expect(groupOverlapping([], 12)).toEqual([]);
  });
});
