import { db, Prisma } from "../db.ts";
import { loadVariants } from "./load.ts";
import type { OutputPreviews } from "./types.ts";
import { OUTPUT_PREVIEW } from "./types.ts";

// Outputs are most of a comparison's bytes, and a reader sees a few dozen rows at a time: the list asks for the
// outputs of the rows it shows, and searches outputs on the server.

export const MAX_KEYS = 400;

/** First-repeat output previews of the given cases (by key) for each variant. */
export async function loadOutputs(workspaceId: string, variantIds: string[], keys: string[], options: { checked?: boolean } = {}): Promise<OutputPreviews> {
  if (!options.checked) await loadVariants(workspaceId, variantIds);
  const previews: OutputPreviews = Object.fromEntries(variantIds.map((id) => [id, {}]));
  if (keys.length === 0) return previews;
  const rows = await db.$queryRaw<{ variantId: string; key: string; text: string | null; length: number }[]>`
    SELECT DISTINCT ON (r."variantId", c.key) r."variantId", c.key, left(r.output, ${OUTPUT_PREVIEW}) AS text,
      coalesce(length(r.output), 0)::int AS length
    FROM "Result" r JOIN "Case" c ON c.id = r."caseId"
    WHERE r."variantId" IN (${Prisma.join(variantIds)}) AND c.key IN (${Prisma.join(keys)})
    ORDER BY r."variantId", c.key, r.repeat`;
  for (const row of rows) {
    const forVariant = previews[row.variantId];
    if (forVariant) forVariant[row.key] = { text: row.text, length: Number(row.length) };
  }
  return previews;
}

/** Keys of the cases whose key, variables or output (any repeat, any of the variants) contain the text. */
export async function searchCases(workspaceId: string, variantIds: string[], query: string): Promise<string[]> {
  await loadVariants(workspaceId, variantIds);
  const pattern = `%${query.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  const rows = await db.$queryRaw<{ key: string }[]>`
    SELECT DISTINCT c.key
    FROM "Result" r JOIN "Case" c ON c.id = r."caseId"
    WHERE r."variantId" IN (${Prisma.join(variantIds)})
      AND (c.key ILIKE ${pattern} OR c.variables::text ILIKE ${pattern} OR r.output ILIKE ${pattern})`;
  return rows.map((row) => row.key);
}
