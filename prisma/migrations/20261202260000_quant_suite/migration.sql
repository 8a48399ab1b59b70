-- AlterTable
ALTER TABLE "QuantTradeoff" ADD COLUMN     "suite" JSONB;

