// Known money for the chart screenshots: a team "Chart Finance" with a FINANCE user, a model priced
// $1.00 per 1M inferences and one priced $0.000114 per 1M, spend recorded through the (frozen)
// API on known days of November 2026, and three monthly budgets:
//
//   "Serving (55%)"        $1.00 on the model: $0.55 spent (one day of $0.50), thresholds 50/80/100%
//   "Serving (tight)"      $0.20 on the model: the same spend, 275%; thresholds 90/95/100% (close lines)
//   "Tiny model"           $0.001 on the tiny model: $0.000114 spent (11.4%)
import { randomBytes } from "node:crypto";
import { createDb } from "@costgate/db";
import { storeCost } from "@costgate/testkit";
import type { FrozenStack } from "./frozen-stack.ts";
import type { StackInfo } from "./stack.ts";

export const CHART_USER = { email: "chart-finance@e2e.costgate.test", password: "e2e-user-password-123" };

/** The model's spend per day of November 2026 (UTC), in dollars at $1.00 per 1M inferences. */
const DAILY: Record<number, number> = {
  ...Object.fromEntries(
    Array.from({ length: 19 }, (_, i) => i + 1)
      .filter((d) => d !== 12)
      .map((d) => [d, 0.0025]),
  ),
  12: 0.5,
  20: 0.005,
};

export interface ChartBudgets {
  teamId: string;
  main: { id: string; name: string };
  tight: { id: string; name: string };
  tiny: { id: string; name: string };
}

export async function seedChartData(frozen: FrozenStack, info: StackInfo): Promise<ChartBudgets> {
  const admin = await frozen.login(info.users.ADMIN.email, info.users.ADMIN.password);
  const { createTeam } = await frozen.gql<{ createTeam: { id: string } }>(
    `mutation($i:CreateTeamInput!){ createTeam(input:$i){ id } }`,
    { i: { name: "Chart Finance", slug: `chart-${randomBytes(3).toString("hex")}` } },
    admin,
  );
  const teamId = createTeam.id;
  await frozen.gql(
    `mutation($i:CreateUserInput!){ createUser(input:$i){ id } }`,
    { i: { ...CHART_USER, name: "Carla Charts", role: "FINANCE", teamId } },
    admin,
  );

  // Models and READY versions with known prices, written as the worker leaves them.
  const db = createDb(info.databaseUrl, { maxConnections: 2 });
  const versions: Record<"main" | "tiny", { modelId: string; versionId: string }> = {} as never;
  try {
    const profile = await db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
    for (const [key, name, price] of [
      ["main", "Chart scorer", "1.00"],
      ["tiny", "Tiny ranker", "0.000114"],
    ] as const) {
      const model = await db.model.create({ data: { teamId, name, task: "CLASSIFICATION" } });
      const artifact = await db.artifact.create({
        data: {
          kind: "TFJS_LAYERS_MODEL",
          sha256: randomBytes(32).toString("hex"),
          sizeBytes: 10,
          files: [],
          teamId,
          createdBy: "system",
        },
      });
      const version = await db.modelVersion.create({
        data: {
          modelId: model.id,
          number: 1,
          source: "UPLOAD",
          status: "READY",
          stage: "PRODUCTION",
          artifactId: artifact.id,
          createdBy: "system",
        },
      });
      await storeCost(db, version.id, profile.id, price);
      versions[key] = { modelId: model.id, versionId: version.id };
    }
  } finally {
    await db.$disconnect();
  }

  const usage = [
    ...Object.entries(DAILY).map(([day, usd]) => ({
      versionId: versions.main.versionId,
      requests: Math.round(usd * 1_000_000),
      occurredAt: new Date(Date.UTC(2026, 10, Number(day), day === "20" ? 6 : 12)).toISOString(),
      idempotencyKey: `chart-main-${day}-${randomBytes(3).toString("hex")}`,
    })),
    {
      versionId: versions.tiny.versionId,
      requests: 1_000_000,
      occurredAt: new Date(Date.UTC(2026, 10, 19, 12)).toISOString(),
      idempotencyKey: `chart-tiny-${randomBytes(3).toString("hex")}`,
    },
  ];
  await frozen.gql(`mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted } }`, { i: usage }, admin);

  const budget = async (name: string, modelId: string, amountUsd: string, alertThresholds: number[]) => {
    const { createBudget } = await frozen.gql<{ createBudget: { id: string; name: string } }>(
      `mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id name } }`,
      { i: { name, teamId, modelId, amountUsd, period: "MONTHLY", alertThresholds } },
      admin,
    );
    return createBudget;
  };
  return {
    teamId,
    main: await budget("Serving (55%)", versions.main.modelId, "1.00", [0.5, 0.8, 1]),
    tight: await budget("Serving (tight)", versions.main.modelId, "0.20", [0.9, 0.95, 1]),
    tiny: await budget("Tiny model", versions.tiny.modelId, "0.001", [0.5, 0.8, 1]),
  };
}
