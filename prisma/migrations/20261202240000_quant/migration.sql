-- CreateTable
CREATE TABLE "QuantTradeoff" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "baseName" TEXT NOT NULL,
    "rows" JSONB NOT NULL,
    "threads" INTEGER NOT NULL,
    "positions" INTEGER NOT NULL,
    "measuredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QuantTradeoff_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "QuantTradeoff_workspaceId_baseName_key" ON "QuantTradeoff"("workspaceId", "baseName");

-- AddForeignKey
ALTER TABLE "QuantTradeoff" ADD CONSTRAINT "QuantTradeoff_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

