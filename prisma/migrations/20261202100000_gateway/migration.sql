-- CreateEnum
CREATE TYPE "ReleaseMode" AS ENUM ('canary', 'ab', 'shadow', 'interleaved');

-- CreateEnum
CREATE TYPE "ReleaseState" AS ENUM ('draft', 'running', 'paused', 'rolled_back', 'promoted', 'stopped');

-- AlterTable
ALTER TABLE "Call" ADD COLUMN     "arm" TEXT,
ADD COLUMN     "attribution" JSONB,
ADD COLUMN     "bucket" INTEGER,
ADD COLUMN     "evaluation" JSONB,
ADD COLUMN     "gatewayKeyId" TEXT,
ADD COLUMN     "label" TEXT,
ADD COLUMN     "passed" BOOLEAN,
ADD COLUMN     "releaseId" TEXT,
ADD COLUMN     "ring" TEXT,
ADD COLUMN     "shadow" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "stream" BOOLEAN,
ADD COLUMN     "userKeyHash" TEXT;

-- CreateTable
CREATE TABLE "GatewayKey" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,

    CONSTRAINT "GatewayKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Release" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "promptId" TEXT NOT NULL,
    "stableLabel" TEXT NOT NULL DEFAULT 'production',
    "mode" "ReleaseMode" NOT NULL,
    "state" "ReleaseState" NOT NULL DEFAULT 'draft',
    "salt" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "stage" INTEGER NOT NULL DEFAULT 0,
    "stageStartedAt" TIMESTAMP(3),
    "reason" JSONB,
    "createdById" TEXT,
    "startedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Release_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReleaseArm" (
    "id" TEXT NOT NULL,
    "releaseId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "ReleaseArm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReleaseEvent" (
    "id" TEXT NOT NULL,
    "releaseId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actorId" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReleaseEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayFeedback" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "callId" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GatewayFeedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayInteraction" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "callId" TEXT NOT NULL,
    "item" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GatewayInteraction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "GatewayKey_keyHash_key" ON "GatewayKey"("keyHash");

-- CreateIndex
CREATE INDEX "GatewayKey_workspaceId_createdAt_idx" ON "GatewayKey"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Release_workspaceId_createdAt_idx" ON "Release"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Release_promptId_createdAt_idx" ON "Release"("promptId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReleaseArm_releaseId_name_key" ON "ReleaseArm"("releaseId", "name");

-- CreateIndex
CREATE INDEX "ReleaseEvent_releaseId_createdAt_idx" ON "ReleaseEvent"("releaseId", "createdAt");

-- CreateIndex
CREATE INDEX "GatewayFeedback_callId_idx" ON "GatewayFeedback"("callId");

-- CreateIndex
CREATE INDEX "GatewayFeedback_workspaceId_createdAt_idx" ON "GatewayFeedback"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "GatewayInteraction_callId_idx" ON "GatewayInteraction"("callId");

-- CreateIndex
CREATE INDEX "Call_releaseId_createdAt_idx" ON "Call"("releaseId", "createdAt");

-- AddForeignKey
ALTER TABLE "Call" ADD CONSTRAINT "Call_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayKey" ADD CONSTRAINT "GatewayKey_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseArm" ADD CONSTRAINT "ReleaseArm_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseArm" ADD CONSTRAINT "ReleaseArm_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "PromptVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleaseEvent" ADD CONSTRAINT "ReleaseEvent_releaseId_fkey" FOREIGN KEY ("releaseId") REFERENCES "Release"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- One live release per prompt: two running canaries on one prompt would split its traffic twice.
CREATE UNIQUE INDEX "Release_one_live_per_prompt" ON "Release"("promptId") WHERE "state" IN ('running', 'paused');
