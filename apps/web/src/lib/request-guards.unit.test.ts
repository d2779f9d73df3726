import { describe, expect, it } from "vitest";
import { isSameOrigin, safeNext } from "./request-guards";

describe("safeNext (where to go after login)", () => {
  it.each(["/", "/budgets", "/models/abc?tab=versions", "/jobs/1#top"])("keeps the same-site path %s", (path) => {
    expect(safeNext(path)).toBe(path);
  });

  it.each([
    "//evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "/\t/evil.example",
    "/%2F%2Fevil.example",
    "javascript:alert(1)",
    "/login",
    "/login?next=/x",
    "",
    null,
    "evil.example",
  ])("sends %s to /", (next) => {
    expect(safeNext(next)).toBe("/");
  });
});

describe("isSameOrigin (state-changing route handlers)", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it("accepts a request whose Origin is the dashboard's own", () => {
    expect(isSameOrigin(headers({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" }))).toBe(true);
    expect(
      isSameOrigin(
        headers({ origin: "https://costgate.example", host: "costgate.example", "x-forwarded-proto": "https" }),
      ),
    ).toBe(true);
  });
  it("refuses another origin, a missing Origin, and the null origin", () => {
    expect(isSameOrigin(headers({ origin: "https://evil.example", host: "127.0.0.1:3000" }))).toBe(false);
    expect(isSameOrigin(headers({ host: "127.0.0.1:3000" }))).toBe(false);
    expect(isSameOrigin(headers({ origin: "null", host: "127.0.0.1:3000" }))).toBe(false);
  });
});
