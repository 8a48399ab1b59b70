-- AlterTable
ALTER TABLE "Student" ADD COLUMN     "cascadeThreshold" DOUBLE PRECISION,
ADD COLUMN     "distillationId" TEXT,
ADD COLUMN     "file" TEXT,
ADD COLUMN     "sizeBytes" INTEGER,
ADD COLUMN     "teacherConnectionId" TEXT,
ADD COLUMN     "teacherModel" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ALTER COLUMN "artifact" DROP NOT NULL;

-- CreateTable
CREATE TABLE "Distillation" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "studentKind" TEXT NOT NULL DEFAULT 'classifier',
    "state" TEXT NOT NULL DEFAULT 'collecting',
    "promptId" TEXT,
    "versionId" TEXT,
    "label" TEXT,
    "connectionId" TEXT,
    "model" TEXT NOT NULL,
    "suiteId" TEXT,
    "teacherRunId" TEXT,
    "compareRunId" TEXT,
    "config" JSONB NOT NULL,
    "failedRows" JSONB NOT NULL DEFAULT '[]',
    "loss" JSONB NOT NULL DEFAULT '[]',
    "report" JSONB,
    "error" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Distillation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Distillation_workspaceId_createdAt_idx" ON "Distillation"("workspaceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Distillation_workspaceId_name_key" ON "Distillation"("workspaceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Student_distillationId_key" ON "Student"("distillationId");

-- AddForeignKey
ALTER TABLE "Student" ADD CONSTRAINT "Student_distillationId_fkey" FOREIGN KEY ("distillationId") REFERENCES "Distillation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Distillation" ADD CONSTRAINT "Distillation_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

