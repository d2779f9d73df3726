import { MoneyDecimal, type Money, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { afterUsageRecorded } from "../budgets/after-usage-recorded.ts";
import { insertUsage } from "./insert-usage.ts";
import { priceUsage } from "./price-usage.ts";
import { checkUsageInput, type UsageInput } from "./usage-input.ts";

export interface RecordUsageResult {
  accepted: number;
  duplicates: number;
  costUsd: Money;
}

type Deps = { db: Db; producer: Producer; logger: { warn(obj: object, msg: string): void }; now: () => Date };

/**
 * recordUsage: prices every record at its version's latest measured cost and records the
 * batch with its daily rollups in one transaction, or refuses the whole call (nothing written)
 * naming the first bad record. A key seen before, in this call or any other, is a duplicate.
 * After the commit, the budgets of the teams touched are checked soon (debounced).
 */
export async function recordUsage(
  deps: Deps,
  principal: Principal,
  records: readonly UsageInput[],
): Promise<RecordUsageResult> {
  checkUsageInput(records, deps.now());
  const { targets, records: priced } = await priceUsage(deps.db, principal, records);

  // A key repeated within the call (for the same team): the first occurrence counts, the others are duplicates.
  const seen = new Set<string>();
  const unique = priced.filter((r) => {
    const key = `${targets[r.target]!.teamId}:${r.key}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });

  const byTeam = await insertUsage(deps.db, { targets, records: unique }, principal.actor);
  const accepted = byTeam.reduce((n, t) => n + t.accepted, 0);
  const costUsd = byTeam.reduce((sum, t) => sum.add(t.costUsd), new MoneyDecimal(0));
  if (accepted > 0) {
    await afterUsageRecorded(
      { producer: deps.producer, logger: deps.logger },
      { teamIds: byTeam.map((t) => t.teamId), modelIds: [...new Set(byTeam.flatMap((t) => t.modelIds))] },
    );
  }
  return { accepted, duplicates: records.length - accepted, costUsd };
}
