import { AppError } from "../errors.ts";
import { getCaseDetail, getComparison, type CaseDetail } from "../compare/service.ts";
import { loadOutputs, searchCases } from "../compare/outputs.ts";
import { caseDetailQuery, outputsInput, searchQuery } from "../compare/schema.ts";
import type { Comparison, OutputPreviews } from "../compare/types.ts";
import { getVersionById } from "../prompts/service.ts";
import { runEvents } from "../runs/events.ts";
import { listResultsQuery } from "../runs/schema.ts";
import { getRun, listResults } from "../runs/service.ts";
import type { ResultPage, RunDetail } from "../runs/types.ts";
import { db } from "../db.ts";
import type { ShareLinkRecord } from "./service.ts";

// What a share link shows, through the same lib functions the member pages use, limited to the shared resource:
// a variant, a case or a run that is not part of it answers 404 as if it did not exist. Nothing here returns
// member emails, connection keys or anything of another workspace.

type Link = Pick<ShareLinkRecord, "workspaceId" | "resource" | "resourceId">;

function notShared(subject: string, what: string): AppError {
  return new AppError("not_found", subject, `${what} is not part of this shared link.`);
}

function sharedVariants(link: Link): string[] {
  if (link.resource !== "comparison") throw notShared("comparison", "A comparison");
  return link.resourceId.split(",");
}

/** The variant list a request names, when every one of them is in the shared comparison. */
function withinComparison(link: Link, variantIds: string[]): string[] {
  const shared = new Set(sharedVariants(link));
  const outside = variantIds.find((id) => !shared.has(id));
  if (outside !== undefined) throw notShared("variant", `Variant "${outside}"`);
  return variantIds;
}

export async function sharedComparison(link: Link): Promise<Comparison> {
  return getComparison(link.workspaceId, { variants: sharedVariants(link) });
}

export async function sharedCaseDetail(link: Link, query: { variants: string; key: string }): Promise<CaseDetail> {
  const { variants, key } = caseDetailQuery.parse(query);
  return getCaseDetail(link.workspaceId, withinComparison(link, variants), key);
}

export async function sharedOutputs(link: Link, input: unknown): Promise<OutputPreviews> {
  const { variants, keys } = outputsInput.parse(input);
  return loadOutputs(link.workspaceId, withinComparison(link, variants), keys);
}

export async function sharedSearch(link: Link, query: { variants: string; q: string }): Promise<{ keys: string[] }> {
  const { variants, q } = searchQuery.parse(query);
  return { keys: await searchCases(link.workspaceId, withinComparison(link, variants), q) };
}

function sharedRunId(link: Link, runId: string): string {
  if (link.resource !== "run" || link.resourceId !== runId) throw notShared("run", "This run");
  return runId;
}

/** The run as its page shows it, without the queue it ran on (an internal name nobody outside needs). */
export async function sharedRun(link: Link, runId: string): Promise<RunDetail> {
  const run = await getRun(link.workspaceId, sharedRunId(link, runId));
  const { queue: _queue, ...config } = run.config;
  return { ...run, config: config as RunDetail["config"] };
}

export async function sharedResults(link: Link, runId: string, query: Record<string, string>): Promise<ResultPage> {
  return listResults(link.workspaceId, sharedRunId(link, runId), listResultsQuery.parse(query));
}

export async function sharedRunEvents(link: Link, runId: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  return runEvents(link.workspaceId, sharedRunId(link, runId), signal);
}

export interface SharedVersion {
  promptName: string;
  promptDescription: string;
  number: number;
  commitMessage: string;
  createdAt: string;
  /** the author's name only: a link for anyone does not hand out members' emails */
  authorName: string | null;
  labels: string[];
  messages: { role: string; content: string }[];
  examples: { variables: Record<string, string>; output: string }[];
  counterexamples: { variables: Record<string, string>; output: string; reason: string }[];
  exampleMode: string;
  model: string | null;
  connectionName: string | null;
  params: Record<string, unknown>;
}

export async function sharedVersion(link: Link): Promise<SharedVersion> {
  if (link.resource !== "version") throw notShared("version", "A prompt version");
  const version = await getVersionById(link.workspaceId, link.resourceId);
  const [prompt, connection] = await Promise.all([
    db.prompt.findFirstOrThrow({ where: { id: version.promptId, workspaceId: link.workspaceId }, select: { name: true, description: true } }),
    version.connectionId ? db.connection.findFirst({ where: { id: version.connectionId, workspaceId: link.workspaceId }, select: { name: true } }) : null,
  ]);
  return {
    promptName: prompt.name,
    promptDescription: prompt.description,
    number: version.number,
    commitMessage: version.commitMessage,
    createdAt: version.createdAt.toISOString(),
    authorName: version.author?.name ?? null,
    labels: version.labels,
    messages: version.messages,
    examples: version.examples as SharedVersion["examples"],
    counterexamples: version.counterexamples as SharedVersion["counterexamples"],
    exampleMode: version.exampleMode,
    model: version.model,
    connectionName: connection?.name ?? null,
    params: version.params as Record<string, unknown>,
  };
}
