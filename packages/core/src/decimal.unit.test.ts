import { describe, expect, it } from "vitest";
import { MoneyDecimal, formatMoney, parseMoney, requestsCost } from "./decimal.ts";

describe("parseMoney", () => {
  it.each([
    ["12.50", "12.5"],
    ["0", "0"],
    ["0.000001", "0.000001"],
    ["1.123456", "1.123456"],
    ["-3.25", "-3.25"],
    ["  3.5 ", "3.5"],
    ["99999999999999", "99999999999999"],
    ["99999999999999.999999", "99999999999999.999999"],
  ])("accepts %j as %s", (input, expected) => {
    expect(parseMoney(input).toFixed()).toBe(expected);
  });

  it.each([
    ["7 decimals", "1.1234567"],
    ["an exponent", "1e3"],
    ["a trailing dot", "1."],
    ["a leading dot", ".5"],
    ["a plus sign", "+1"],
    ["a comma", "1,5"],
    ["letters", "abc"],
    ["an empty string", ""],
    ["NaN", "NaN"],
    ["Infinity", "Infinity"],
    ["15 integer digits", "999999999999999"],
    ["a float", 0.5],
    ["an integer number", 12],
    ["null", null],
    ["undefined", undefined],
    ["an object", { value: "1" }],
  ])("refuses %s", (_what, input) => {
    expect(() => parseMoney(input)).toThrow(/decimal string with at most 6 decimals/);
  });

  it("names the field and shows what it got", () => {
    expect(() => parseMoney("1.1234567", "hourlyPriceUsd")).toThrow(
      'hourlyPriceUsd must be a decimal string with at most 6 decimals, like "12.50" (got "1.1234567")',
    );
    expect(() => parseMoney(0.5, "amountUsd")).toThrow(/^amountUsd .*\(got 0\.5\)$/);
  });

  it("adds without float artefacts", () => {
    expect(parseMoney("0.1").plus(parseMoney("0.2")).toFixed()).toBe("0.3");
    expect(parseMoney("0.000001").times(1_000_000).toFixed()).toBe("1");
  });
});

describe("formatMoney", () => {
  it.each([
    ["12.5", "12.50"],
    ["12", "12.00"],
    ["100.10", "100.10"],
    ["0.08925", "0.08925"],
    ["0.123456", "0.123456"],
    ["1.123", "1.123"],
    ["-12.5", "-12.50"],
    ["0", "0.00"],
    ["-0", "0.00"],
  ])("formats %j as %j", (input, expected) => {
    expect(formatMoney(input)).toBe(expected);
  });

  it("rounds to 6 decimals, half to even", () => {
    expect(formatMoney("1.1234565")).toBe("1.123456");
    expect(formatMoney("1.1234575")).toBe("1.123458");
    expect(formatMoney("1.12345651")).toBe("1.123457");
    expect(formatMoney("0.0000004")).toBe("0.00");
    expect(formatMoney("-0.0000001")).toBe("0.00");
  });

  it("gives plain decimal strings (a numeric column's text) the same text as the Decimal path", () => {
    // Reference: the Decimal path, for strings the fast path takes and for ones it leaves.
    const viaDecimal = (x: string) => {
      const [int, frac = ""] = new MoneyDecimal(x).toDecimalPlaces(6).toFixed(6).replace(/0+$/, "").split(".");
      return `${int}.${frac.padEnd(2, "0")}`;
    };
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const samples = ["-0.000000", "-0.0", "0.000000", "000.5", "-00", "5.", ".5", "1.0000001", "-1.500000"];
    for (let i = 0; i < 2000; i++) {
      const int = String(next() % 10 ** (1 + (next() % 12)));
      const decimals = next() % 8;
      const frac = decimals ? `.${String(next()).padStart(10, "0").slice(0, decimals)}` : "";
      samples.push(`${next() % 3 === 0 ? "-" : ""}${int}${frac}`);
    }
    for (const x of samples) expect(formatMoney(x), x).toBe(viaDecimal(x));
  });

  it("never uses exponent notation", () => {
    expect(formatMoney("1e21")).toBe("1000000000000000000000.00");
    expect(formatMoney(1e-7)).toBe("0.00");
    expect(formatMoney("12345678901234.5")).toBe("12345678901234.50");
  });

  it("accepts numbers, Decimals and anything with a decimal toString (Prisma's Decimal)", () => {
    expect(formatMoney(0.1)).toBe("0.10");
    expect(formatMoney(new MoneyDecimal("2.5"))).toBe("2.50");
    expect(formatMoney({ toString: () => "7.250000" })).toBe("7.25");
  });

  it("round-trips what parseMoney accepts", () => {
    for (const s of ["0.01", "12.50", "0.000001", "1234.567891"]) expect(formatMoney(parseMoney(s))).toBe(s);
  });
});

describe("requestsCost", () => {
  it("equals requests × price / 1e6 in MoneyDecimal, rounded half-even to 6 decimals", () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const requests = Math.floor(rand() ** 2 * 2 ** 31);
      const price = (rand() * 10 ** Math.floor(rand() * 8 - 3)).toFixed(6);
      expect(requestsCost(requests, price), `${requests} × ${price}`).toBe(
        new MoneyDecimal(requests).mul(price).div(1_000_000).toDecimalPlaces(6).toFixed(6),
      );
    }
  });

  it("rounds ties to even and keeps six decimals", () => {
    expect(requestsCost(333, "1.5")).toBe("0.000500");
    expect(requestsCost(1, "0.5")).toBe("0.000000");
    expect(requestsCost(3, "0.5")).toBe("0.000002");
    expect(requestsCost(0, "12.345678")).toBe("0.000000");
    expect(requestsCost(2_147_483_647, "99999.999999")).toBe("214748364.697853");
    expect(() => requestsCost(-1, "1")).toThrow(RangeError);
  });
});
