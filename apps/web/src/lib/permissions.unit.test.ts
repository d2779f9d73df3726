import { describe, expect, it } from "vitest";
import { MUTATION_PERMISSIONS, Roles } from "@costgate/core";
import { can } from "./permissions";

describe("the dashboard's capabilities", () => {
  it("are core's permission rows: a control shows exactly when the API would allow the call", () => {
    for (const role of Roles) {
      expect(can(role, "manageBudgets")).toBe((MUTATION_PERMISSIONS.updateBudget as readonly string[]).includes(role));
      expect(can(role, "managePolicies")).toBe(
        (MUTATION_PERMISSIONS.updateOptimizationPolicy as readonly string[]).includes(role),
      );
      expect(can(role, "manageWebhooks")).toBe(
        (MUTATION_PERMISSIONS.deleteWebhook as readonly string[]).includes(role),
      );
    }
  });

  it("lets only an ADMIN override the cost gate, and no one without a role", () => {
    expect(can("ADMIN", "overrideCostGate")).toBe(true);
    expect(can("ML_ENGINEER", "overrideCostGate")).toBe(false);
    expect(can(null, "promote")).toBe(false);
  });
});
