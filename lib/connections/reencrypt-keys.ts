import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { decryptSecret, encryptSecret, loadMasterKey } from "./crypto.ts";
import { originOf } from "./origin.ts";

// Part of opening the database (lib/runtime/database.ts), after the SQL migrations: stored keys still in the unbound
// v1 format are re-encrypted as v2, bound to their workspace, connection and origin. Idempotent (only v1 rows are
// read), in one transaction, and nothing is lost: a row that cannot be read under this process's master key is left
// exactly as it is and counted, so the install that holds the right key can still convert it.

export interface ReencryptionReport {
  reencrypted: number;
  /** v1 rows this master key cannot decrypt, left untouched */
  unreadable: string[];
}

export async function reencryptLegacyKeys(options: { masterKey?: Buffer } = {}): Promise<ReencryptionReport> {
  const rows = await db.connection.findMany({
    where: { apiKeyCipher: { startsWith: "v1:" } },
    select: { id: true, workspaceId: true, name: true, baseUrl: true, apiKeyCipher: true, apiKeyOrigin: true },
    orderBy: { id: "asc" },
  });
  const report: ReencryptionReport = { reencrypted: 0, unreadable: [] };
  // No v1 row, no master key needed: `assay db migrate` on a fresh install must not create .assay/secret.
  if (rows.length === 0) return report;
  const masterKey = options.masterKey ?? (await loadMasterKey());
  const updates: { id: string; from: string; to: string; origin: string }[] = [];
  for (const row of rows) {
    if (row.apiKeyCipher === null) continue;
    const origin = row.apiKeyOrigin ?? originOf(row.baseUrl);
    const binding = { workspaceId: row.workspaceId, connectionId: row.id, origin };
    let plain: string;
    try {
      plain = decryptSecret(row.apiKeyCipher, masterKey, binding);
    } catch (error) {
      // Only "cannot be read" is expected here (another master key, a damaged row); anything else is a bug.
      if (!(error instanceof AppError && error.code === "key_unreadable")) throw error;
      report.unreadable.push(`${row.name} (${row.id})`);
      continue;
    }
    updates.push({ id: row.id, from: row.apiKeyCipher, to: encryptSecret(plain, masterKey, binding), origin });
  }
  if (updates.length === 0) return report;
  await db.$transaction(async (transaction) => {
    for (const update of updates) {
      // Compare-and-set: a process starting at the same moment, or a user saving a new key, has already won.
      const { count } = await transaction.connection.updateMany({
        where: { id: update.id, apiKeyCipher: update.from },
        data: { apiKeyCipher: update.to, apiKeyOrigin: update.origin },
      });
      report.reencrypted += count;
    }
  });
  return report;
}
