-- CreateSchema

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'FINANCE', 'ML_ENGINEER', 'VIEWER');

-- CreateEnum
CREATE TYPE "ModelTask" AS ENUM ('CLASSIFICATION', 'REGRESSION');

-- CreateEnum
CREATE TYPE "ArtifactKind" AS ENUM ('TFJS_LAYERS_MODEL', 'DATASET');

-- CreateEnum
CREATE TYPE "VersionSource" AS ENUM ('UPLOAD', 'FINE_TUNE', 'PRUNE', 'QUANTIZE');

-- CreateEnum
CREATE TYPE "VersionStage" AS ENUM ('CANDIDATE', 'STAGING', 'PRODUCTION', 'ARCHIVED', 'REJECTED');

-- CreateEnum
CREATE TYPE "VersionStatus" AS ENUM ('PENDING', 'READY', 'FAILED');

-- CreateEnum
CREATE TYPE "DatasetRole" AS ENUM ('TRAIN', 'EVALUATION');

-- CreateEnum
CREATE TYPE "BudgetPeriod" AS ENUM ('MONTHLY', 'QUARTERLY', 'YEARLY');

-- CreateEnum
CREATE TYPE "BudgetAction" AS ENUM ('NOTIFY', 'BLOCK_PROMOTION', 'AUTO_OPTIMIZE');

-- CreateEnum
CREATE TYPE "AlertKind" AS ENUM ('THRESHOLD_ACTUAL', 'THRESHOLD_FORECAST');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "PolicyTrigger" AS ENUM ('MANUAL', 'NEW_VERSION', 'BUDGET_AT_RISK');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "teams" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "team_id" TEXT,
    "last_login_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "team_id" TEXT,
    "created_by_id" TEXT,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "login_attempts" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "succeeded" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "models" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "task" "ModelTask" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "artifacts" (
    "id" TEXT NOT NULL,
    "kind" "ArtifactKind" NOT NULL,
    "sha256" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "files" JSONB NOT NULL,
    "metadata" JSONB,
    "team_id" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "source" "VersionSource" NOT NULL,
    "recipe" JSONB,
    "notes" TEXT,
    "parent_id" TEXT,
    "stage" "VersionStage" NOT NULL DEFAULT 'CANDIDATE',
    "status" "VersionStatus" NOT NULL DEFAULT 'PENDING',
    "status_message" TEXT,
    "artifact_id" TEXT NOT NULL,
    "parameter_count" INTEGER,
    "non_zero_parameter_count" INTEGER,
    "weight_dtypes" TEXT[],
    "job_id" TEXT,
    "step_index" INTEGER,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "datasets" (
    "id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "DatasetRole" NOT NULL,
    "rows" INTEGER NOT NULL,
    "artifact_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "evaluations" (
    "id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "dataset_id" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "loss" DOUBLE PRECISION,
    "samples" INTEGER NOT NULL,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evaluations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hardware_profiles" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hourly_price_usd" DECIMAL(20,6) NOT NULL,
    "vcpus" INTEGER NOT NULL,
    "memory_gib" DOUBLE PRECISION NOT NULL,
    "batch_size" INTEGER NOT NULL DEFAULT 32,
    "description" TEXT,
    "price_source" TEXT,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "hardware_profiles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cost_measurements" (
    "id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "hardware_profile_id" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "batch_size" INTEGER NOT NULL,
    "latency_p50_ms" DOUBLE PRECISION NOT NULL,
    "latency_p95_ms" DOUBLE PRECISION NOT NULL,
    "latency_p99_ms" DOUBLE PRECISION NOT NULL,
    "throughput_per_second" DOUBLE PRECISION NOT NULL,
    "peak_memory_bytes" INTEGER NOT NULL,
    "model_size_bytes" INTEGER NOT NULL,
    "load_time_ms" DOUBLE PRECISION NOT NULL,
    "macs_per_inference" DOUBLE PRECISION NOT NULL,
    "cost_per_million_usd" DECIMAL(20,6) NOT NULL,
    "runs" INTEGER NOT NULL,
    "spread" DOUBLE PRECISION,
    "measured_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cost_measurements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "budgets" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "model_id" TEXT,
    "amount_usd" DECIMAL(20,6) NOT NULL,
    "period" "BudgetPeriod" NOT NULL,
    "alert_thresholds" DOUBLE PRECISION[],
    "action" "BudgetAction" NOT NULL DEFAULT 'NOTIFY',
    "policy_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_records" (
    "id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "hardware_profile_id" TEXT NOT NULL,
    "requests" INTEGER NOT NULL,
    "cost_usd" DECIMAL(20,6) NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "daily_spend" (
    "day" DATE NOT NULL,
    "version_id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "requests" BIGINT NOT NULL,
    "cost_usd" DECIMAL(20,6) NOT NULL,

    CONSTRAINT "daily_spend_pkey" PRIMARY KEY ("day","version_id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "id" TEXT NOT NULL,
    "budget_id" TEXT NOT NULL,
    "kind" "AlertKind" NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "spent_usd" DECIMAL(20,6) NOT NULL,
    "forecast_usd" DECIMAL(20,6) NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "budget_triggers" (
    "id" TEXT NOT NULL,
    "budget_id" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "action" "BudgetAction" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "budget_triggers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "event_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "id" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "status_code" INTEGER,
    "duration_ms" INTEGER NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "optimization_policies" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "model_id" TEXT,
    "steps" JSONB NOT NULL,
    "max_accuracy_drop" DOUBLE PRECISION NOT NULL,
    "hardware_profile_id" TEXT,
    "trigger" "PolicyTrigger" NOT NULL DEFAULT 'MANUAL',
    "auto_promote" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "optimization_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "optimization_jobs" (
    "id" TEXT NOT NULL,
    "policy_id" TEXT NOT NULL,
    "source_version_id" TEXT NOT NULL,
    "steps" JSONB NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "stage" TEXT,
    "best_version_id" TEXT,
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "triggered_by" TEXT NOT NULL,
    "trigger_key" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "optimization_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "team_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "teams_slug_key" ON "teams"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "users_team_id_idx" ON "users"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "api_keys_team_id_idx" ON "api_keys"("team_id");

-- CreateIndex
CREATE INDEX "api_keys_created_by_id_idx" ON "api_keys"("created_by_id");

-- CreateIndex
CREATE INDEX "login_attempts_email_created_at_idx" ON "login_attempts"("email", "created_at");

-- CreateIndex
CREATE INDEX "login_attempts_ip_created_at_idx" ON "login_attempts"("ip", "created_at");

-- CreateIndex
CREATE INDEX "models_team_id_idx" ON "models"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "models_team_id_name_key" ON "models"("team_id", "name");

-- CreateIndex
CREATE INDEX "artifacts_sha256_idx" ON "artifacts"("sha256");

-- CreateIndex
-- NULLS NOT DISTINCT: admin uploads (no team) of the same content share one row too.
CREATE UNIQUE INDEX "artifacts_kind_sha256_team_id_key" ON "artifacts"("kind", "sha256", "team_id") NULLS NOT DISTINCT;

-- CreateIndex
CREATE INDEX "model_versions_model_id_stage_idx" ON "model_versions"("model_id", "stage");

-- CreateIndex
CREATE INDEX "model_versions_parent_id_idx" ON "model_versions"("parent_id");

-- CreateIndex
CREATE INDEX "model_versions_artifact_id_idx" ON "model_versions"("artifact_id");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_model_id_number_key" ON "model_versions"("model_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_job_id_step_index_key" ON "model_versions"("job_id", "step_index");

-- CreateIndex
CREATE INDEX "datasets_model_id_role_idx" ON "datasets"("model_id", "role");

-- CreateIndex
CREATE INDEX "datasets_artifact_id_idx" ON "datasets"("artifact_id");

-- CreateIndex
CREATE UNIQUE INDEX "datasets_model_id_name_key" ON "datasets"("model_id", "name");

-- CreateIndex
CREATE INDEX "evaluations_dataset_id_idx" ON "evaluations"("dataset_id");

-- CreateIndex
CREATE UNIQUE INDEX "evaluations_version_id_dataset_id_key" ON "evaluations"("version_id", "dataset_id");

-- CreateIndex
CREATE UNIQUE INDEX "hardware_profiles_name_key" ON "hardware_profiles"("name");

-- CreateIndex
CREATE INDEX "cost_measurements_version_id_hardware_profile_id_measured_a_idx" ON "cost_measurements"("version_id", "hardware_profile_id", "measured_at" DESC);

-- CreateIndex
CREATE INDEX "cost_measurements_hardware_profile_id_idx" ON "cost_measurements"("hardware_profile_id");

-- CreateIndex
CREATE INDEX "budgets_team_id_idx" ON "budgets"("team_id");

-- CreateIndex
CREATE INDEX "budgets_model_id_idx" ON "budgets"("model_id");

-- CreateIndex
CREATE INDEX "budgets_policy_id_idx" ON "budgets"("policy_id");

-- CreateIndex
CREATE UNIQUE INDEX "usage_records_idempotency_key_key" ON "usage_records"("idempotency_key");

-- CreateIndex
CREATE INDEX "usage_records_version_id_occurred_at_idx" ON "usage_records"("version_id", "occurred_at");

-- CreateIndex
CREATE INDEX "usage_records_model_id_occurred_at_idx" ON "usage_records"("model_id", "occurred_at");

-- CreateIndex
CREATE INDEX "usage_records_team_id_occurred_at_idx" ON "usage_records"("team_id", "occurred_at");

-- CreateIndex
CREATE INDEX "usage_records_hardware_profile_id_idx" ON "usage_records"("hardware_profile_id");

-- CreateIndex
CREATE INDEX "daily_spend_team_id_day_idx" ON "daily_spend"("team_id", "day");

-- CreateIndex
CREATE INDEX "daily_spend_model_id_day_idx" ON "daily_spend"("model_id", "day");

-- CreateIndex
CREATE INDEX "daily_spend_version_id_idx" ON "daily_spend"("version_id");

-- CreateIndex
CREATE INDEX "alerts_acknowledged_by_id_idx" ON "alerts"("acknowledged_by_id");

-- CreateIndex
CREATE UNIQUE INDEX "alerts_budget_id_period_start_kind_threshold_key" ON "alerts"("budget_id", "period_start", "kind", "threshold");

-- CreateIndex
CREATE UNIQUE INDEX "budget_triggers_budget_id_period_start_action_key" ON "budget_triggers"("budget_id", "period_start", "action");

-- CreateIndex
CREATE INDEX "webhooks_team_id_idx" ON "webhooks"("team_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_created_at_idx" ON "webhook_deliveries"("webhook_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_webhook_id_event_key_key" ON "webhook_deliveries"("webhook_id", "event_key");

-- CreateIndex
CREATE INDEX "webhook_attempts_delivery_id_idx" ON "webhook_attempts"("delivery_id");

-- CreateIndex
CREATE INDEX "optimization_policies_model_id_idx" ON "optimization_policies"("model_id");

-- CreateIndex
CREATE INDEX "optimization_policies_hardware_profile_id_idx" ON "optimization_policies"("hardware_profile_id");

-- CreateIndex
CREATE UNIQUE INDEX "optimization_policies_team_id_name_key" ON "optimization_policies"("team_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "optimization_jobs_trigger_key_key" ON "optimization_jobs"("trigger_key");

-- CreateIndex
CREATE INDEX "optimization_jobs_policy_id_idx" ON "optimization_jobs"("policy_id");

-- CreateIndex
CREATE INDEX "optimization_jobs_source_version_id_idx" ON "optimization_jobs"("source_version_id");

-- CreateIndex
CREATE INDEX "optimization_jobs_best_version_id_idx" ON "optimization_jobs"("best_version_id");

-- CreateIndex
CREATE INDEX "optimization_jobs_status_created_at_idx" ON "optimization_jobs"("status", "created_at");

-- CreateIndex
CREATE INDEX "audit_events_entity_type_entity_id_created_at_idx" ON "audit_events"("entity_type", "entity_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_events_team_id_created_at_idx" ON "audit_events"("team_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_events_created_at_idx" ON "audit_events"("created_at");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "models" ADD CONSTRAINT "models_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "optimization_jobs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cost_measurements" ADD CONSTRAINT "cost_measurements_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cost_measurements" ADD CONSTRAINT "cost_measurements_hardware_profile_id_fkey" FOREIGN KEY ("hardware_profile_id") REFERENCES "hardware_profiles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "optimization_policies"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_hardware_profile_id_fkey" FOREIGN KEY ("hardware_profile_id") REFERENCES "hardware_profiles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "daily_spend" ADD CONSTRAINT "daily_spend_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "daily_spend" ADD CONSTRAINT "daily_spend_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "daily_spend" ADD CONSTRAINT "daily_spend_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_acknowledged_by_id_fkey" FOREIGN KEY ("acknowledged_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budget_triggers" ADD CONSTRAINT "budget_triggers_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "optimization_policies" ADD CONSTRAINT "optimization_policies_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "optimization_policies" ADD CONSTRAINT "optimization_policies_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "optimization_policies" ADD CONSTRAINT "optimization_policies_hardware_profile_id_fkey" FOREIGN KEY ("hardware_profile_id") REFERENCES "hardware_profiles"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "optimization_jobs" ADD CONSTRAINT "optimization_jobs_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "optimization_policies"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "optimization_jobs" ADD CONSTRAINT "optimization_jobs_source_version_id_fkey" FOREIGN KEY ("source_version_id") REFERENCES "model_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "optimization_jobs" ADD CONSTRAINT "optimization_jobs_best_version_id_fkey" FOREIGN KEY ("best_version_id") REFERENCES "model_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

