-- The origin a stored API key was saved for (issue #9): keys are only ever sent there. Rows with a key get it when the
-- start step re-encrypts their v1 payloads (lib/connections/reencrypt-keys.ts); until then the base URL's origin is used.
-- AlterTable
ALTER TABLE "Connection" ADD COLUMN "apiKeyOrigin" TEXT;
