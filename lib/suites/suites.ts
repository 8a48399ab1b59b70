import type { z } from "zod";
import { db, Prisma } from "../db.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import type { Assertion } from "../assertions/schema.ts";
import { flattenIssues, formatIssuePath } from "../assertions/validate.ts";
import type { Case, Suite } from "../generated/prisma/client.ts";
import {
  createSuiteInput,
  updateSuiteInput,
  upsertCaseInput,
  type CreateSuiteInput,
  type UpdateSuiteInput,
  type UpsertCaseInput,
} from "./schema.ts";

// Suites and their cases. Every function takes the workspace, so a suite id from another workspace is "not found".

export interface SuiteSummary {
  id: string;
  name: string;
  description: string;
  assertions: Assertion[];
  caseCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CaseRecord {
  id: string;
  position: number;
  key: string;
  variables: Record<string, unknown>;
  expected: string | null;
  tags: string[];
  assertions: Assertion[];
}

export function toCaseRecord(row: Case): CaseRecord {
  return {
    id: row.id,
    position: row.position,
    key: row.key,
    variables: (row.variables ?? {}) as Record<string, unknown>,
    expected: row.expected,
    tags: row.tags,
    assertions: (row.assertions ?? []) as Assertion[],
  };
}

function toSummary(suite: Suite, caseCount: number): SuiteSummary {
  return {
    id: suite.id,
    name: suite.name,
    description: suite.description,
    assertions: suite.assertions as Assertion[],
    caseCount,
    createdAt: suite.createdAt,
    updatedAt: suite.updatedAt,
  };
}

/** Parses service input; a problem becomes a 400 naming the field (assertions[0].type), not a bare ZodError. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, subject: string): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = flattenIssues(result.error.issues).map((issue) => ({
    path: formatIssuePath(issue.path),
    message: issue.message,
  }));
  const first = details[0];
  const message = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : "invalid input";
  throw new AppError("bad_request", subject, message, details);
}

function nameTaken(name: string): AppError {
  return new AppError("conflict", "suite", `A suite named "${name}" already exists in this workspace.`, [
    { path: "name", message: "already used by another suite" },
  ]);
}

export async function createSuite(workspaceId: string, input: CreateSuiteInput): Promise<SuiteSummary> {
  const data = parseInput(createSuiteInput, input, "suite");
  try {
    const suite = await db.suite.create({
      data: { workspaceId, name: data.name, description: data.description, assertions: data.assertions as Prisma.InputJsonValue },
    });
    return toSummary(suite, 0);
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(data.name);
    throw error;
  }
}

export async function updateSuite(workspaceId: string, suiteId: string, input: UpdateSuiteInput): Promise<SuiteSummary> {
  const data = parseInput(updateSuiteInput, input, "suite");
  await requireSuite(workspaceId, suiteId);
  try {
    const suite = await db.suite.update({
      where: { id: suiteId },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.assertions !== undefined ? { assertions: data.assertions as Prisma.InputJsonValue } : {}),
      },
      include: { _count: { select: { cases: true } } },
    });
    return toSummary(suite, suite._count.cases);
  } catch (error) {
    if (isUniqueViolation(error) && data.name !== undefined) throw nameTaken(data.name);
    throw error;
  }
}

export async function listSuites(workspaceId: string): Promise<SuiteSummary[]> {
  const suites = await db.suite.findMany({
    where: { workspaceId },
    orderBy: { updatedAt: "desc" },
    include: { _count: { select: { cases: true } } },
  });
  return suites.map((suite) => toSummary(suite, suite._count.cases));
}

export async function getSuite(workspaceId: string, suiteId: string): Promise<SuiteSummary> {
  const suite = await db.suite.findFirst({
    where: { id: suiteId, workspaceId },
    include: { _count: { select: { cases: true } } },
  });
  if (!suite) throw new AppError("not_found", "suite", "No such suite in this workspace.");
  return toSummary(suite, suite._count.cases);
}

export async function getSuiteByName(workspaceId: string, name: string): Promise<SuiteSummary | null> {
  const suite = await db.suite.findUnique({
    where: { workspaceId_name: { workspaceId, name } },
    include: { _count: { select: { cases: true } } },
  });
  return suite ? toSummary(suite, suite._count.cases) : null;
}

/** Deletes the suite with its cases and, through them, any run results for those cases. */
export async function deleteSuite(workspaceId: string, suiteId: string): Promise<void> {
  const deleted = await db.suite.deleteMany({ where: { id: suiteId, workspaceId } });
  if (deleted.count === 0) throw new AppError("not_found", "suite", "No such suite in this workspace.");
}

export async function requireSuite(workspaceId: string, suiteId: string): Promise<void> {
  const found = await db.suite.findFirst({ where: { id: suiteId, workspaceId }, select: { id: true } });
  if (!found) throw new AppError("not_found", "suite", "No such suite in this workspace.");
}

export interface ListCasesOptions {
  offset?: number;
  /** at most 1,000 */
  limit?: number;
  /** only cases with this tag */
  tag?: string;
}

export interface CasePage {
  cases: CaseRecord[];
  /** cases matching the filter */
  total: number;
  offset: number;
  limit: number;
}

/** Cases in suite order, a page at a time (offset paging: the grid jumps to any row). */
export async function listCases(workspaceId: string, suiteId: string, options: ListCasesOptions = {}): Promise<CasePage> {
  await requireSuite(workspaceId, suiteId);
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = Math.min(1000, Math.max(1, Math.floor(options.limit ?? 100)));
  const where: Prisma.CaseWhereInput = { suiteId, ...(options.tag ? { tags: { has: options.tag } } : {}) };
  const [rows, total] = await Promise.all([
    db.case.findMany({ where, orderBy: [{ position: "asc" }, { id: "asc" }], skip: offset, take: limit }),
    db.case.count({ where }),
  ]);
  return { cases: rows.map(toCaseRecord), total, offset, limit };
}

/** Adds a case at the end of the suite, or updates the case `id`. A key already used by another case is a conflict. */
export async function upsertCase(workspaceId: string, suiteId: string, input: UpsertCaseInput): Promise<CaseRecord> {
  const data = parseInput(upsertCaseInput, input, "case");
  await requireSuite(workspaceId, suiteId);
  const fields = {
    variables: data.variables as Prisma.InputJsonValue,
    expected: data.expected ?? null,
    tags: data.tags,
    assertions: data.assertions as Prisma.InputJsonValue,
  };
  try {
    if (data.id) {
      const existing = await db.case.findFirst({ where: { id: data.id, suiteId }, select: { id: true } });
      if (!existing) throw new AppError("not_found", "case", "No such case in this suite.");
      const updated = await db.case.update({
        where: { id: data.id },
        data: { ...fields, ...(data.key !== undefined ? { key: data.key } : {}) },
      });
      return toCaseRecord(updated);
    }
    const created = await db.$transaction(async (transaction) => {
      // Serializes appends to one suite so two new cases never take the same position.
      await transaction.$executeRaw`SELECT 1 FROM "Suite" WHERE id = ${suiteId} FOR UPDATE`;
      const last = await transaction.case.aggregate({ where: { suiteId }, _max: { position: true } });
      const position = (last._max.position ?? -1) + 1;
      const key = data.key ?? (await freeDefaultKey(transaction, suiteId, position));
      return transaction.case.create({ data: { suiteId, position, key, ...fields } });
    });
    return toCaseRecord(created);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict", "case", `Another case in this suite already has the key "${data.key}".`, [
        { path: "key", message: "already used by another case" },
      ]);
    }
    throw error;
  }
}

/** "case-<position + 1>", or with a suffix if a user already gave some case (or a key in `reserved`) that key. */
export async function freeDefaultKey(
  transaction: Prisma.TransactionClient,
  suiteId: string,
  position: number,
  reserved: ReadonlyMap<string, unknown> = new Map(),
): Promise<string> {
  const base = `case-${position + 1}`;
  for (let attempt = 1; ; attempt++) {
    const key = attempt === 1 ? base : `${base}-${attempt}`;
    if (reserved.has(key)) continue;
    const taken = await transaction.case.findUnique({ where: { suiteId_key: { suiteId, key } }, select: { id: true } });
    if (!taken) return key;
  }
}

/** Deletes one case and, through it, any run results and votes for it. */
export async function deleteCase(workspaceId: string, suiteId: string, caseId: string): Promise<void> {
  await requireSuite(workspaceId, suiteId);
  const deleted = await db.case.deleteMany({ where: { id: caseId, suiteId } });
  if (deleted.count === 0) throw new AppError("not_found", "case", "No such case in this suite.");
}
