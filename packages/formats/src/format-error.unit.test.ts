import { describe, expect, it } from "vitest";
import { FormatError, translateFormatError } from "./format-error.ts";

class Mine extends Error {}
const as = (e: FormatError) => new Mine(`mine: ${e.code}: ${e.message}`);
const refuse = () => {
  throw new FormatError("BAD_CSV", "CSV line 2 is ragged");
};

describe("translateFormatError", () => {
  it("answers what the check answers", async () => {
    expect(translateFormatError(() => 7, as)).toBe(7);
    await expect(translateFormatError(async () => 8, as)).resolves.toBe(8);
  });

  it("throws a FormatError as the caller's error, sync or async", async () => {
    expect(() => translateFormatError(refuse, as)).toThrow(new Mine("mine: BAD_CSV: CSV line 2 is ragged"));
    await expect(translateFormatError(async () => refuse(), as)).rejects.toThrow(Mine);
  });

  it("lets any other error through as it is", async () => {
    const other = new TypeError("a bug");
    expect(() =>
      translateFormatError(() => {
        throw other;
      }, as),
    ).toThrow(other);
    await expect(translateFormatError(() => Promise.reject(other), as)).rejects.toBe(other);
  });
});
