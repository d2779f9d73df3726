import { describe, expect, it } from "vitest";
import { auditChanges, entityHref, fieldLabel } from "./audit-diff";

describe("auditChanges", () => {
  it("lists only the fields that changed, in words", () => {
    expect(
      auditChanges(
        { name: "Fraud", amountUsd: "400.00", alertThresholds: [0.5, 1] },
        { name: "Fraud", amountUsd: "500.00", alertThresholds: [0.5, 0.8, 1] },
      ),
    ).toEqual([
      { field: "amount (USD)", before: "400.00", after: "500.00" },
      { field: "alert thresholds", before: "0.5, 1", after: "0.5, 0.8, 1" },
    ]);
  });
  it("shows every field of a creation, and nested records one level down", () => {
    expect(auditChanges(null, { stage: "PRODUCTION", costGate: { projectedMonthlyUsd: "30.00" } })).toEqual([
      { field: "stage", before: null, after: "PRODUCTION" },
      { field: "cost gate: projected monthly (USD)", before: null, after: "30.00" },
    ]);
  });
  it("leaves bookkeeping and bare ids out", () => {
    expect(
      auditChanges(null, {
        id: "c1",
        name: "Fraud",
        modelId: "m1",
        createdBy: "user:u1",
        createdAt: "2026-12-05T00:00:00Z",
        policyId: null,
      }),
    ).toEqual([{ field: "name", before: null, after: "Fraud" }]);
    expect(auditChanges({ policyId: "p1", updatedAt: "a" }, { policyId: "p2", updatedAt: "b" })).toEqual([
      { field: "policy", before: "one", after: "another one" },
    ]);
  });
  it("names fields and links entities", () => {
    expect(fieldLabel("overrideReason")).toBe("override reason");
    expect(entityHref("ModelVersion", "v1", { modelId: "m1" })).toBe("/models/m1");
    expect(entityHref("Alert", "a1", { budgetId: "b1" })).toBe("/budgets/b1");
    expect(entityHref("Budget", "b1", null)).toBeNull();
  });
});
