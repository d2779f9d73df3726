-- AlterTable
ALTER TABLE "cost_measurements" ADD COLUMN     "raw_throughput_per_second" DOUBLE PRECISION,
ADD COLUMN     "speed_calibration_id" TEXT,
ADD COLUMN     "speed_factor" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "speed_calibrations" (
    "id" TEXT NOT NULL,
    "hardware_profile_id" TEXT NOT NULL,
    "backend" TEXT NOT NULL,
    "workload" TEXT NOT NULL,
    "reference_throughput_per_second" DOUBLE PRECISION NOT NULL,
    "host_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "speed_calibrations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "speed_calibrations_hardware_profile_id_backend_workload_key" ON "speed_calibrations"("hardware_profile_id", "backend", "workload");

-- CreateIndex
CREATE INDEX "cost_measurements_speed_calibration_id_idx" ON "cost_measurements"("speed_calibration_id");

-- AddForeignKey
ALTER TABLE "speed_calibrations" ADD CONSTRAINT "speed_calibrations_hardware_profile_id_fkey" FOREIGN KEY ("hardware_profile_id") REFERENCES "hardware_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cost_measurements" ADD CONSTRAINT "cost_measurements_speed_calibration_id_fkey" FOREIGN KEY ("speed_calibration_id") REFERENCES "speed_calibrations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

