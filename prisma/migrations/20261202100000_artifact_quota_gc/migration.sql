-- Per-team storage quota (sum of a team's artifacts) and collection of artifacts no version or
-- dataset references after a grace period counted from their last upload or registration.
ALTER TABLE "artifacts" ADD COLUMN "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
UPDATE "artifacts" SET "last_used_at" = "created_at";

CREATE INDEX "artifacts_team_id_idx" ON "artifacts"("team_id");

-- A usage record keeps the measurement that priced it (history is never re-priced, and the
-- measurement cannot be deleted from under it). A dangling id (none is expected) is cleared first.
UPDATE "usage_records" u SET "cost_measurement_id" = NULL
  WHERE "cost_measurement_id" IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM "cost_measurements" m WHERE m."id" = u."cost_measurement_id");
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_cost_measurement_id_fkey" FOREIGN KEY ("cost_measurement_id") REFERENCES "cost_measurements"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
