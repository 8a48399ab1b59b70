import { z } from "zod";
import type { PrismaClient } from "../db.ts";
import { counterexample, example, messageTemplate, modelParams, testInput, type ModelParams, type TestInput } from "./schema.ts";
import type { PromptContent } from "./types.ts";

// What the prompt service returns: rows with their JSON columns parsed into typed shapes, and authors resolved
// (PromptVersion.authorId is a plain column, not a relation, so a deleted user leaves history intact).

export interface Author {
  id: string;
  name: string;
  email: string;
}

export interface PromptVersionRecord extends PromptContent {
  id: string;
  promptId: string;
  number: number;
  connectionId: string | null;
  model: string | null;
  params: ModelParams;
  /** named variable sets for the playground, in the order the author gave them */
  testInputs: TestInput[];
  commitMessage: string;
  createdAt: Date;
  author: Author | null;
  /** labels pointing at this version */
  labels: string[];
}

export interface PromptVersionSummary {
  id: string;
  number: number;
  commitMessage: string;
  model: string | null;
  createdAt: Date;
  author: Author | null;
  labels: string[];
}

export interface PromptLabelRecord {
  name: string;
  versionId: string;
  versionNumber: number;
  updatedAt: Date;
  updatedById: string | null;
}

export interface PromptSummary {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  latestVersion: { id: string; number: number; createdAt: Date } | null;
  labels: PromptLabelRecord[];
}

export interface PromptDetail extends PromptSummary {
  latest: PromptVersionRecord;
}

const storedContent = z.object({
  messages: z.array(messageTemplate),
  examples: z.array(example),
  counterexamples: z.array(counterexample),
  testInputs: z.array(testInput),
  params: modelParams,
});

export interface VersionRow {
  id: string;
  promptId: string;
  number: number;
  messages: unknown;
  examples: unknown;
  counterexamples: unknown;
  testInputs: unknown;
  exampleMode: "chat" | "inline";
  connectionId: string | null;
  model: string | null;
  params: unknown;
  commitMessage: string;
  authorId: string | null;
  createdAt: Date;
  labels: { name: string }[];
}

export interface LabelRow {
  name: string;
  versionId: string;
  updatedAt: Date;
  updatedById: string | null;
  version: { number: number };
}

export const labelInclude = { orderBy: { name: "asc" }, include: { version: { select: { number: true } } } } as const;
export const versionLabelsInclude = { labels: { select: { name: true }, orderBy: { name: "asc" } } } as const;

export async function authorsById(client: Pick<PrismaClient, "user">, ids: readonly (string | null)[]): Promise<Map<string, Author>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const users = await client.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true, email: true } });
  return new Map(users.map((user) => [user.id, user]));
}

export function toVersionRecord(row: VersionRow, authors: Map<string, Author>): PromptVersionRecord {
  // Stored JSON was validated on write; parsing again types it and surfaces corruption instead of passing it on.
  const content = storedContent.parse({
    messages: row.messages,
    examples: row.examples,
    counterexamples: row.counterexamples,
    testInputs: row.testInputs,
    params: row.params,
  });
  return {
    id: row.id,
    promptId: row.promptId,
    number: row.number,
    ...content,
    exampleMode: row.exampleMode,
    connectionId: row.connectionId,
    model: row.model,
    commitMessage: row.commitMessage,
    createdAt: row.createdAt,
    author: row.authorId ? (authors.get(row.authorId) ?? null) : null,
    labels: row.labels.map((label) => label.name),
  };
}

export function toLabelRecord(row: LabelRow): PromptLabelRecord {
  return {
    name: row.name,
    versionId: row.versionId,
    versionNumber: row.version.number,
    updatedAt: row.updatedAt,
    updatedById: row.updatedById,
  };
}
