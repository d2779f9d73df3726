import { describe, expect, it } from "vitest";
import { runOptions } from "./run-options";

const version = (id: string, number: number, createdAt: string, status = "READY") => ({
  id,
  number,
  source: number === 1 ? "UPLOAD" : "PRUNE",
  status,
  stage: "CANDIDATE",
  createdAt,
});

describe("runOptions", () => {
  it("offers READY versions only, newest first across models, labelled with model, number, source and stage", () => {
    const options = runOptions([
      {
        name: "Churn",
        versions: [
          version("c2", 2, "2025-03-02T00:00:00.000Z", "PENDING"),
          version("c1", 1, "2025-03-01T00:00:00.000Z"),
        ],
      },
      {
        name: "Fraud",
        versions: [
          version("f2", 2, "2025-03-03T00:00:00.000Z"),
          version("f3", 3, "2025-03-04T00:00:00.000Z", "FAILED"),
        ],
      },
    ]);
    expect(options).toEqual([
      { id: "f2", label: "Fraud v2 (Prune, Candidate)" },
      { id: "c1", label: "Churn v1 (Upload, Candidate)" },
    ]);
  });
  it("breaks a tie in time by the higher version number", () => {
    const at = "2025-03-01T00:00:00.000Z";
    expect(runOptions([{ name: "M", versions: [version("a", 2, at), version("b", 3, at)] }]).map((o) => o.id)).toEqual([
      "b",
      "a",
    ]);
  });
  it("offers nothing without a READY version", () => {
    expect(runOptions([{ name: "M", versions: [version("a", 1, "2025-03-01T00:00:00.000Z", "PENDING")] }])).toEqual([]);
    expect(runOptions([])).toEqual([]);
  });
});
