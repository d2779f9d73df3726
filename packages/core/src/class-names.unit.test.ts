import { describe, expect, it } from "vitest";
import { classIndexOf, classNamesProblem, knownClasses, outputUnitsProblem, parseClassNames } from "./class-names.ts";

describe("class names", () => {
  it("accepts distinct names and says what is wrong with others", () => {
    expect(classNamesProblem(["cat", "dog", "bird"])).toBeNull();
    expect(classNamesProblem([])).toMatch(/at least one/);
    expect(classNamesProblem(["cat", "Cat"])).toMatch(
      /class names 0 and 1 are both "Cat" \(names are compared ignoring case\)/,
    );
    expect(classNamesProblem(["cat", ""])).toMatch(/class name 1 is empty/);
    expect(classNamesProblem([" cat"])).toMatch(/spaces around it/);
    expect(classNamesProblem(["a/b"])).toMatch(/slash/);
    expect(classNamesProblem(["a\tb"])).toMatch(/control character/);
    expect(classNamesProblem(["x".repeat(201)])).toMatch(/201 characters long; at most 200/);
    expect(classNamesProblem(Array.from({ length: 10_001 }, (_, i) => `c${i}`))).toMatch(/at most 10000/);
    // "1" naming class 0 while class 1 exists: a folder "1" would mean either.
    expect(classNamesProblem(["1", "two"])).toMatch(/the index of another class/);
    expect(classNamesProblem(["0", "1"])).toBeNull();
  });

  it("reads names one per line or comma-separated", () => {
    expect(parseClassNames("cat, dog ,bird,")).toEqual(["cat", "dog", "bird"]);
    expect(parseClassNames("tabby cat\nshepherd, german\n\n")).toEqual(["tabby cat", "shepherd, german"]);
  });

  it("matches the model's outputs", () => {
    expect(outputUnitsProblem(["a", "b"], 2, "m")).toBeNull();
    expect(outputUnitsProblem([], 10, "m")).toBeNull();
    expect(outputUnitsProblem(["a", "b", "c"], 10, "pets")).toMatch(
      /this version has 10 outputs but model pets names 3 classes \(classNames\)/,
    );
  });

  it("finds a label by index or by name, and lists the known ones", () => {
    expect(classIndexOf(["cat", "dog"], "dog")).toBe(1);
    expect(classIndexOf(["cat", "dog"], "DOG")).toBe(1);
    expect(classIndexOf(["cat", "dog"], "1")).toBe(1);
    expect(classIndexOf(["cat", "dog"], "2")).toBeNull();
    expect(classIndexOf(["cat", "dog"], "cow")).toBeNull();
    expect(classIndexOf([], "7")).toBe(7);
    expect(knownClasses(["cat", "dog"])).toBe("0 cat, 1 dog");
    expect(knownClasses(["a", "b", "c"], 2)).toBe("0 a, 1 b and 1 more");
  });
});
