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

-- CreateTable
CREATE TABLE "Pruning" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "suiteId" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'running',
    "progress" JSONB,
    "report" JSONB,
    "error" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Pruning_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "QuantTradeoff_workspaceId_baseName_key" ON "QuantTradeoff"("workspaceId", "baseName");

-- CreateIndex
CREATE INDEX "Pruning_workspaceId_createdAt_idx" ON "Pruning"("workspaceId", "createdAt");

-- AddForeignKey
ALTER TABLE "QuantTradeoff" ADD CONSTRAINT "QuantTradeoff_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pruning" ADD CONSTRAINT "Pruning_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

