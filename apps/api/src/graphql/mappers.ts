// What the resolvers of a GraphQL type receive as their parent when it is not a Prisma row of the
// same name (codegen.ts maps those) nor the generated shape: pages, the results of features, the
// caller as `me` answers it. codegen.ts points the generated resolver types here.
import type { BudgetStatusValue, Money } from "@costgate/core";
import type { Alert, AuditEvent, Model, ModelVersion, OptimizationJob, Prisma, User } from "@costgate/db";
import type { promoteVersion } from "@costgate/services";
import type { DeliveryWithLastAttempt } from "../features/webhooks/recent-deliveries.ts";
import type { ModelSpendRow } from "../features/usage/top-spenders.ts";
import type { VersionSavings } from "../features/usage/optimization-savings.ts";
import type { Connection } from "./pagination.ts";

/** Decimal fields answer strings, core's Money or Prisma's Decimal (the scalar formats each). */
export type DecimalOutput = string | Money | Prisma.Decimal;
/** DateTime fields answer Dates, or ISO strings (the scalar answers both in UTC). */
export type DateTimeOutput = Date | string;

/** A user row, or the user-like principal `me` makes of an API key (no password hash, no logins). */
export type UserParent = Pick<User, "id" | "email" | "name" | "role" | "teamId">;

export type AlertConnectionParent = Connection<Alert>;
/** An OVERRIDE_REQUEST alert (the request's fields are its columns). */
export type PromotionOverrideRequestParent = Alert;
export type AuditEventConnectionParent = Connection<AuditEvent>;
export type ModelConnectionParent = Connection<Model>;
export type ModelVersionConnectionParent = Connection<ModelVersion>;
export type OptimizationJobConnectionParent = Connection<OptimizationJob>;

export type BudgetStatusParent = BudgetStatusValue;
export type ModelSpendParent = ModelSpendRow;
export type VersionSavingsParent = VersionSavings;
export type WebhookDeliveryParent = DeliveryWithLastAttempt;
/** services' promoteVersion: the version, the one it replaced in PRODUCTION and what the cost gate recorded. */
export type PromotionResultParent = Awaited<ReturnType<typeof promoteVersion>>;
