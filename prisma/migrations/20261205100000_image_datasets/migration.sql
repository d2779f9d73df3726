-- AlterEnum
ALTER TYPE "ArtifactKind" ADD VALUE 'IMAGE_TENSORS';

-- AlterTable
ALTER TABLE "datasets" ADD COLUMN     "decoded_artifact_id" TEXT,
ADD COLUMN     "format" TEXT NOT NULL DEFAULT 'csv',
ADD COLUMN     "labels" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "preprocessing" JSONB;

-- CreateIndex
CREATE INDEX "datasets_decoded_artifact_id_idx" ON "datasets"("decoded_artifact_id");

-- AddForeignKey
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_decoded_artifact_id_fkey" FOREIGN KEY ("decoded_artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

