import { describe, expect, it } from "vitest";
import { paretoFrontier } from "./pareto";

const p = (id: string, cost: number, metric: number) => ({ id, cost, metric });

describe("paretoFrontier", () => {
  it("keeps the versions no other is both cheaper and more accurate than, cheapest first", () => {
    const points = [p("v1", 10, 0.95), p("v2", 6, 0.94), p("v3", 7, 0.9), p("v4", 3, 0.8), p("v5", 6, 0.93)];
    expect(paretoFrontier(points).map((x) => x.id)).toEqual(["v4", "v2", "v1"]);
  });
  it("treats lower as better for mse", () => {
    const points = [p("a", 10, 0.01), p("b", 5, 0.02), p("c", 6, 0.03)];
    expect(paretoFrontier(points, false).map((x) => x.id)).toEqual(["b", "a"]);
  });
  it("drops exact duplicates only once and ignores unmeasured points", () => {
    const points = [p("a", 5, 0.9), p("b", 5, 0.9), p("c", Number.NaN, 0.99)];
    expect(paretoFrontier(points).map((x) => x.id)).toEqual(["a", "b"]);
  });
  it("is empty for no points", () => {
    expect(paretoFrontier([])).toEqual([]);
  });
});
