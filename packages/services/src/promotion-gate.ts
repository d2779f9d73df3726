import type { ModelVersion, Prisma, VersionStage } from "@costgate/db";

/** Who promotes: a caller with a role, or the system (auto-promotion). */
export type Promoter = { actor: string; role?: string };

export interface PromotionGate {
  /**
   * Called inside the promotion's transaction before anything changes. Throws to refuse
   * (the cost gate, budgets/cost-gate.ts, throws COST_GATE_BLOCKED with the numbers), or
   * returns what the audit event should record (e.g. the projection).
   */
  check(
    tx: Prisma.TransactionClient,
    ctx: {
      version: ModelVersion & { model: { teamId: string } };
      stage: VersionStage;
      promoter: Promoter;
      overrideReason?: string | null;
    },
  ): Promise<Record<string, unknown> | void>;
}
