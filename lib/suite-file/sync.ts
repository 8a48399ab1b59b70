import { db, Prisma } from "../db.ts";
import { newCaseId } from "../suites/import-cases.ts";
import type { SuiteFile } from "./schema.ts";
import type { FileCase } from "./cases.ts";

// A suite file's cases become a stored Suite (named by the file), so results reference Case rows and runs of the same
// file compare case by case. Cases are matched by key: changed ones are updated, new ones added; cases that are no
// longer in the file stay (older runs' results point at them) but are not part of this run.

const BATCH = 1_000;

export interface SyncedSuite {
  suiteId: string;
  cases: number;
  /** set when the suite holds cases the file no longer has: the run is limited to these */
  caseIds: string[] | null;
}

export async function syncSuite(workspaceId: string, config: SuiteFile, cases: AsyncIterable<FileCase>): Promise<SyncedSuite> {
  return db.$transaction(
    async (transaction) => {
      const suite = await transaction.suite.upsert({
        where: { workspaceId_name: { workspaceId, name: config.name } },
        create: { workspaceId, name: config.name, description: config.description, assertions: config.assertions as Prisma.InputJsonValue },
        update: { description: config.description, assertions: config.assertions as Prisma.InputJsonValue },
        select: { id: true },
      });
      await transaction.$executeRaw`SELECT 1 FROM "Suite" WHERE id = ${suite.id} FOR UPDATE`;
      const ids: string[] = [];
      let batch: FileCase[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch.map((item, index) => ({
          id: newCaseId(),
          suiteId: suite.id,
          position: ids.length + index,
          key: item.key,
          variables: item.variables,
          expected: item.expected,
          tags: item.tags,
          assertions: item.assertions,
        }));
        const returned = await transaction.$queryRawUnsafe<{ id: string }[]>(
          `INSERT INTO "Case" (id, "suiteId", position, key, variables, expected, tags, assertions)
           SELECT id, "suiteId", position, key, variables, expected, tags, assertions
           FROM jsonb_to_recordset($1::jsonb)
             AS x(id text, "suiteId" text, position int, key text, variables jsonb, expected text, tags text[], assertions jsonb)
           ON CONFLICT ("suiteId", key) DO UPDATE SET position = EXCLUDED.position, variables = EXCLUDED.variables,
             expected = EXCLUDED.expected, tags = EXCLUDED.tags, assertions = EXCLUDED.assertions
           RETURNING id`,
          JSON.stringify(rows),
        );
        ids.push(...returned.map((row) => row.id));
        batch = [];
      };
      for await (const item of cases) {
        batch.push(item);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      const total = await transaction.case.count({ where: { suiteId: suite.id } });
      return { suiteId: suite.id, cases: ids.length, caseIds: total > ids.length ? ids : null };
    },
    { timeout: 30 * 60_000, maxWait: 10_000 },
  );
}
