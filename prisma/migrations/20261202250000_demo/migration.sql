-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "startHereDismissedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "PromptVersion" ADD COLUMN     "testInputs" JSONB NOT NULL DEFAULT '[]';

