import { describe, expect, it } from "vitest";
import { describeEvent, slackMessage } from "./event-text.ts";
import { TEST_EVENT } from "./webhook-events.ts";

const alert = {
  alertId: "a1",
  kind: "THRESHOLD_ACTUAL",
  threshold: 0.8,
  spentUsd: "2100.000000",
  forecastUsd: "2950.500000",
  periodStart: "2026-11-01T00:00:00.000Z",
  periodEnd: "2026-12-01T00:00:00.000Z",
  budget: { id: "b1", name: "Fraud serving", amountUsd: "2500.000000", period: "MONTHLY" },
  utilization: 0.84,
  forecastUtilization: 1.1802,
  state: "AT_RISK",
  exhaustsAt: "2026-11-26T04:00:00.000Z",
};

describe("describeEvent", () => {
  it("says which budget reached what, in dollars and percent", () => {
    const t = describeEvent("alert.created", alert);
    expect(t.title).toBe("Budget “Fraud serving”: spend reached 80% of $2,500.00");
    expect(t.lines.join("\n")).toContain("Spent so far $2,100.00 (84%); forecast $2,950.50 (118%); state at risk.");
    expect(t.lines.join("\n")).toContain("runs out on 2026-11-26");
  });
  it("writes tiny spend as what it is", () => {
    const t = describeEvent("alert.created", {
      ...alert,
      spentUsd: "0.000114",
      budget: { ...alert.budget, amountUsd: "0.0001" },
    });
    expect(t.lines.join(" ")).toContain("$0.000114");
  });
  it("names jobs, promotions and unknown events", () => {
    expect(
      describeEvent("job.finished", { status: "SUCCEEDED", policyName: "Quantize", bestVersionId: "v9" }).title,
    ).toBe("Optimization job “Quantize” succeeded");
    expect(
      describeEvent("version.promoted", {
        modelName: "Fraud",
        number: 3,
        stage: "PRODUCTION",
        fromStage: "STAGING",
        actor: "user:u1",
      }).title,
    ).toBe("Fraud v3 moved to production");
    expect(describeEvent("export.finished", {}).title).toBe("Costgate: export.finished");
  });
});

describe("the test event", () => {
  const test = { webhookId: "w1", requestedBy: "Fay Finance" };
  it("says it is a test, who sent it, and that nothing happened", () => {
    const t = describeEvent(TEST_EVENT, test);
    expect(t.title).toBe("Test event from Costgate");
    expect(t.lines).toEqual([
      "Fay Finance sent this from the Webhooks page to check that this address receives Costgate's messages. Nothing else happened.",
    ]);
  });
  it("links to its webhook on the dashboard in a Slack message", () => {
    const m = slackMessage(describeEvent(TEST_EVENT, test), "https://costgate.example.com");
    expect(m.text).toBe(
      [
        "Test event from Costgate",
        "Fay Finance sent this from the Webhooks page to check that this address receives Costgate's messages. Nothing else happened.",
        "https://costgate.example.com/admin/webhooks#webhook-w1",
      ].join("\n"),
    );
  });
});

describe("slackMessage", () => {
  it("is an incoming-webhook body: text for notifications, a section block in bold and lines", () => {
    const m = slackMessage(describeEvent("alert.created", alert));
    expect(m.text.split("\n")[0]).toBe("Budget “Fraud serving”: spend reached 80% of $2,500.00");
    expect(slackMessage(describeEvent("alert.created", alert), "https://costgate.example.com/").text).toMatch(
      /\nhttps:\/\/costgate.example.com\/budgets\/b1$/,
    );
    expect(m.blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: expect.stringMatching(/^\*Budget “Fraud serving”.*\*\n/) } },
    ]);
  });
});
