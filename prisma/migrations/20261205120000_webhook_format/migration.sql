-- CreateEnum
CREATE TYPE "WebhookFormat" AS ENUM ('COSTGATE', 'SLACK');

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "format" "WebhookFormat" NOT NULL DEFAULT 'COSTGATE';

