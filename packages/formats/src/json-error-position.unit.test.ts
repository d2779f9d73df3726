import { describe, expect, it } from "vitest";
import { jsonErrorPosition } from "./json-error-position.ts";

describe("jsonErrorPosition", () => {
  it("is null for valid JSON, including deep nesting", () => {
    expect(jsonErrorPosition('{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"],"b":{}}')).toBeNull();
    expect(jsonErrorPosition("[".repeat(100_000) + "]".repeat(100_000))).toBeNull();
  });
  it("points at the first offending character", () => {
    expect(jsonErrorPosition('{"a": 1,}')).toEqual({ offset: 8, line: 1, column: 9 });
    expect(jsonErrorPosition('{\n  "a": tru\n}')).toEqual({ offset: 9, line: 2, column: 8 });
    expect(jsonErrorPosition("[1] x")).toEqual({ offset: 4, line: 1, column: 5 });
    expect(jsonErrorPosition('{"a": 01}')).toEqual({ offset: 7, line: 1, column: 8 });
    expect(jsonErrorPosition('"abc')).toEqual({ offset: 4, line: 1, column: 5 });
    expect(jsonErrorPosition("")).toEqual({ offset: 0, line: 1, column: 1 });
  });
});
