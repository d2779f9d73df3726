-- CreateEnum
CREATE TYPE "SpendExportFormat" AS ENUM ('CSV', 'FOCUS');

-- CreateEnum
CREATE TYPE "ExportStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- AlterEnum
ALTER TYPE "AlertKind" ADD VALUE 'ANOMALY';

-- AlterTable
ALTER TABLE "budgets" ADD COLUMN     "tag_key" TEXT,
ADD COLUMN     "tag_value" TEXT;

-- AlterTable
ALTER TABLE "usage_records" ADD COLUMN     "tags" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "anomaly_id" TEXT;

-- CreateTable
CREATE TABLE "daily_tag_spend" (
    "day" DATE NOT NULL,
    "version_id" TEXT NOT NULL,
    "hardware_profile_id" TEXT NOT NULL,
    "tag_key" TEXT NOT NULL,
    "tag_value" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "requests" BIGINT NOT NULL,
    "cost_usd" DECIMAL(20,6) NOT NULL,

    CONSTRAINT "daily_tag_spend_pkey" PRIMARY KEY ("day","version_id","hardware_profile_id","tag_key","tag_value")
);

-- CreateTable
CREATE TABLE "spend_anomalies" (
    "id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "version_id" TEXT,
    "expected_usd" DECIMAL(20,6) NOT NULL,
    "low_usd" DECIMAL(20,6) NOT NULL,
    "high_usd" DECIMAL(20,6) NOT NULL,
    "actual_usd" DECIMAL(20,6) NOT NULL,
    "price_effect_usd" DECIMAL(20,6) NOT NULL,
    "volume_effect_usd" DECIMAL(20,6) NOT NULL,
    "expected_requests" BIGINT NOT NULL,
    "actual_requests" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "spend_anomalies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "spend_exports" (
    "id" TEXT NOT NULL,
    "team_id" TEXT,
    "format" "SpendExportFormat" NOT NULL,
    "status" "ExportStatus" NOT NULL DEFAULT 'QUEUED',
    "from_at" TIMESTAMPTZ(3) NOT NULL,
    "to_at" TIMESTAMPTZ(3) NOT NULL,
    "rows" INTEGER,
    "cost_usd" DECIMAL(20,6),
    "size_bytes" BIGINT,
    "error" TEXT,
    "created_by" TEXT NOT NULL,
    "schedule_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "spend_exports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "spend_export_schedules" (
    "team_id" TEXT NOT NULL,
    "format" "SpendExportFormat" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "spend_export_schedules_pkey" PRIMARY KEY ("team_id")
);

-- CreateIndex
CREATE INDEX "daily_tag_spend_team_id_tag_key_day_idx" ON "daily_tag_spend"("team_id", "tag_key", "day");

-- CreateIndex
CREATE INDEX "daily_tag_spend_model_id_tag_key_day_idx" ON "daily_tag_spend"("model_id", "tag_key", "day");

-- CreateIndex
CREATE INDEX "spend_anomalies_team_id_day_idx" ON "spend_anomalies"("team_id", "day");

-- CreateIndex
CREATE UNIQUE INDEX "spend_anomalies_model_id_day_key" ON "spend_anomalies"("model_id", "day");

-- CreateIndex
CREATE UNIQUE INDEX "spend_exports_schedule_key_key" ON "spend_exports"("schedule_key");

-- CreateIndex
CREATE INDEX "spend_exports_team_id_created_at_idx" ON "spend_exports"("team_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "alerts_anomaly_id_key" ON "alerts"("anomaly_id");

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_anomaly_id_fkey" FOREIGN KEY ("anomaly_id") REFERENCES "spend_anomalies"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Backfill: usage recorded before tags existed, as the rows of all usage (tag_key '').
INSERT INTO "daily_tag_spend" ("day", "version_id", "hardware_profile_id", "tag_key", "tag_value", "model_id", "team_id", "requests", "cost_usd")
SELECT (occurred_at AT TIME ZONE 'UTC')::date, version_id, hardware_profile_id, '', '', min(model_id), min(team_id), sum(requests), sum(cost_usd)
FROM "usage_records" GROUP BY 1, 2, 3;
