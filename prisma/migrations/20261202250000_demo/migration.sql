-- AlterTable
ALTER TABLE "PromptVersion" ADD COLUMN     "testInputs" JSONB NOT NULL DEFAULT '[]';

