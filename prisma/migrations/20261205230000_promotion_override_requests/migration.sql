-- AlterEnum
ALTER TYPE "AlertKind" ADD VALUE 'OVERRIDE_REQUEST';

-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "projection" JSONB,
ADD COLUMN     "reason" TEXT,
ADD COLUMN     "requested_by" TEXT,
ADD COLUMN     "version_id" TEXT;

-- CreateIndex
CREATE INDEX "alerts_version_id_idx" ON "alerts"("version_id");

-- AddForeignKey
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

