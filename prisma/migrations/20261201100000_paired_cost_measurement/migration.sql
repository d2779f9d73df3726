-- AlterTable
ALTER TABLE "cost_measurements" ADD COLUMN     "disturbed_rounds" INTEGER,
ADD COLUMN     "uncertainty" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "cost_comparisons" (
    "id" TEXT NOT NULL,
    "version_id" TEXT NOT NULL,
    "parent_id" TEXT NOT NULL,
    "hardware_profile_id" TEXT NOT NULL,
    "measurement_id" TEXT NOT NULL,
    "throughput_ratio" DOUBLE PRECISION NOT NULL,
    "low" DOUBLE PRECISION NOT NULL,
    "high" DOUBLE PRECISION NOT NULL,
    "significant" BOOLEAN NOT NULL,
    "rounds" INTEGER NOT NULL,
    "parent_throughput_per_second" DOUBLE PRECISION NOT NULL,
    "measured_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cost_comparisons_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "cost_comparisons_measurement_id_key" ON "cost_comparisons"("measurement_id");

-- CreateIndex
CREATE INDEX "cost_comparisons_version_id_hardware_profile_id_measured_at_idx" ON "cost_comparisons"("version_id", "hardware_profile_id", "measured_at" DESC);

-- CreateIndex
CREATE INDEX "cost_comparisons_parent_id_idx" ON "cost_comparisons"("parent_id");

-- CreateIndex
CREATE INDEX "cost_comparisons_hardware_profile_id_idx" ON "cost_comparisons"("hardware_profile_id");

-- AddForeignKey
ALTER TABLE "cost_comparisons" ADD CONSTRAINT "cost_comparisons_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cost_comparisons" ADD CONSTRAINT "cost_comparisons_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cost_comparisons" ADD CONSTRAINT "cost_comparisons_hardware_profile_id_fkey" FOREIGN KEY ("hardware_profile_id") REFERENCES "hardware_profiles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cost_comparisons" ADD CONSTRAINT "cost_comparisons_measurement_id_fkey" FOREIGN KEY ("measurement_id") REFERENCES "cost_measurements"("id") ON DELETE CASCADE ON UPDATE CASCADE;

