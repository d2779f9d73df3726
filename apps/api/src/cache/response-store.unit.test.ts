import { describe, expect, it } from "vitest";
import { cacheDeadline, ResponseStore } from "./response-store.ts";

describe("cacheDeadline", () => {
  it("is between (1 − spread) × TTL and the TTL, never past it", () => {
    expect(cacheDeadline(1_000, 2_000, 0.5, () => 0)).toBe(3_000);
    expect(cacheDeadline(1_000, 2_000, 0.5, () => 0.5)).toBe(2_500);
    expect(cacheDeadline(1_000, 2_000, 0.5, () => 0.999_999)).toBeGreaterThan(2_000);
    expect(cacheDeadline(1_000, 2_000, 0.25, () => 0.999_999)).toBeGreaterThan(2_500);
  });

  it("with no spread, every answer lives the whole TTL", () => {
    expect(cacheDeadline(1_000, 2_000, 0, () => 0.9)).toBe(3_000);
  });

  it("spreads answers cached in the same instant over the second half of the TTL", () => {
    const deadlines = Array.from({ length: 1_000 }, () => cacheDeadline(0, 2_000, 0.5));
    const quarters = [0, 0, 0, 0];
    for (const d of deadlines) {
      expect(d).toBeGreaterThanOrEqual(1_000);
      expect(d).toBeLessThanOrEqual(2_000);
      quarters[Math.min(3, Math.floor((d - 1_000) / 250))]! += 1;
    }
    // Uniform: about 250 in each quarter of that half; none holds most of them.
    for (const q of quarters) expect(q).toBeGreaterThan(150);
  });
});

describe("ResponseStore", () => {
  it("serves an entry until its deadline, not after", () => {
    const store = new ResponseStore<string>(100);
    store.set("k", "v", 10, 2_000, 1_000);
    expect(store.get("k", 1_999)).toBe("v");
    expect(store.get("k", 2_000)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it("keeps at most maxBytes, dropping the oldest first", () => {
    const store = new ResponseStore<string>(100);
    for (let i = 0; i < 5; i++) store.set(`k${i}`, `v${i}`, 30, 10_000, 0);
    expect(store.size).toBe(3);
    expect(store.get("k0", 1)).toBeUndefined();
    expect(store.get("k1", 1)).toBeUndefined();
    expect(store.get("k4", 1)).toBe("v4");
  });

  it("drops expired entries as new ones come, and refuses one larger than the whole budget", () => {
    const store = new ResponseStore<string>(100);
    store.set("old", "v", 10, 1_000, 0);
    store.set("new", "v", 10, 5_000, 2_000);
    expect(store.size).toBe(1);
    store.set("huge", "v", 101, 9_000, 2_000);
    expect(store.get("huge", 2_000)).toBeUndefined();
  });

  it("replacing a key counts its bytes once", () => {
    const store = new ResponseStore<string>(100);
    for (let i = 0; i < 10; i++) store.set("k", `v${i}`, 60, 10_000, 0);
    store.set("other", "w", 40, 10_000, 0);
    expect(store.get("k", 1)).toBe("v9");
    expect(store.get("other", 1)).toBe("w");
  });
});
