-- AlterEnum
ALTER TYPE "VersionSource" ADD VALUE 'DISTILL';

-- AlterEnum
ALTER TYPE "DatasetRole" ADD VALUE 'UNLABELED';

