-- Deleting a case (a suite, a workspace, "replace all cases") cascades to its results and votes; without an index on
-- caseId each deleted case scanned every result: deleting a suite of 100,000 cases with a run took minutes.
-- CreateIndex
CREATE INDEX "Result_caseId_idx" ON "Result"("caseId");

-- CreateIndex
CREATE INDEX "Vote_caseId_idx" ON "Vote"("caseId");
