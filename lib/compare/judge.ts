import { createHash } from "node:crypto";
import { resolveTarget } from "../connections/service.ts";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { limitedCall, type LimitedTarget } from "../llm/limited-call.ts";
import { Semaphore } from "../llm/semaphore.ts";
import type { ChatMessage, ModelTarget } from "../llm/types.ts";
import { formatVariableValue } from "../prompts/render.ts";
import type { VariableValue } from "../prompts/types.ts";
import { loadVariants } from "./load.ts";
import { judgeInput } from "./schema.ts";
import type { JudgeInput } from "./schema.ts";
import { preferenceOf } from "./votes.ts";

// An LLM judge for pairwise preference. Each case is judged twice, with the outputs in both orders; only a case
// where both orders pick the same winner counts, and the share of cases where the order changed the verdict is the
// judge's position bias. Every verdict is stored as a vote with the judge's name and reasoning.

export type JudgeChoice = "left" | "right" | "tie";

export interface JudgeVerdict {
  choice: JudgeChoice;
  reasoning: string;
}

const SYSTEM = [
  "You are an impartial judge comparing two responses to the same input.",
  "Decide which response better satisfies the rubric. Judge only by the rubric: the order in which the responses are shown and their length do not matter unless the rubric says so.",
  'Reply with one JSON object and nothing else: {"reasoning": "<one or two sentences>", "winner": "1" | "2" | "tie"}.',
].join("\n");

export function judgeMessages(rubric: string, variables: unknown, expected: string | null, first: string, second: string): ChatMessage[] {
  const entries =
    variables && typeof variables === "object" && !Array.isArray(variables)
      ? Object.entries(variables as Record<string, VariableValue>).map(([name, value]) => `${name}: ${formatVariableValue(value)}`)
      : [];
  const sections = [
    `## Rubric\n${rubric}`,
    `## Input\n${entries.length > 0 ? entries.join("\n") : "(no variables)"}`,
    ...(expected ? [`## Reference answer\n${expected}`] : []),
    `## Response 1\n${first}`,
    `## Response 2\n${second}`,
  ];
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: sections.join("\n\n") },
  ];
}

function normalizeWinner(value: unknown): JudgeChoice | null {
  const text = String(value ?? "").trim().toLowerCase().replace(/^response\s*/, "");
  if (text === "1" || text === "first" || text === "a") return "left";
  if (text === "2" || text === "second" || text === "b") return "right";
  if (["tie", "equal", "both", "neither", "draw"].includes(text)) return "tie";
  return null;
}

/** Reads the judge's answer: the JSON it was asked for, or failing that a recognisable "winner: …". */
export function parseJudgeReply(reply: string): JudgeVerdict | null {
  const start = reply.indexOf("{");
  const end = reply.lastIndexOf("}");
  if (start !== -1 && end > start) {
    try {
      const parsed = JSON.parse(reply.slice(start, end + 1)) as { winner?: unknown; reasoning?: unknown };
      const choice = normalizeWinner(parsed.winner);
      if (choice) return { choice, reasoning: typeof parsed.reasoning === "string" ? parsed.reasoning.trim() : "" };
    } catch {
      // fall through to the lenient reading below
    }
  }
  const match = /winner["'\s:]*["']?(1|2|tie)\b/i.exec(reply);
  const choice = match ? normalizeWinner(match[1]) : null;
  return choice ? { choice, reasoning: reply.trim().slice(0, 2000) } : null;
}

export interface JudgeProgress {
  total: number;
  done: number;
  /** cases where both orders agreed */
  agreed: number;
  /** cases where the order changed the verdict */
  disagreed: number;
  /** cases skipped because a call failed or the reply could not be read; they can be judged again */
  failed: number;
  lastError: string | null;
}

interface JudgeCase {
  caseId: string;
  key: string;
  variables: unknown;
  expected: string | null;
  outputA: string;
  outputB: string;
}

export function judgeName(connectionName: string, model: string, rubric: string): string {
  const digest = createHash("sha256").update(rubric).digest("hex").slice(0, 8);
  return `${connectionName} / ${model} · rubric ${digest}`;
}

export interface JudgeRunOptions {
  signal?: AbortSignal;
  /** retries of a failed call before the case counts as failed (default 3, as for a run's cells) */
  maxRetries?: number;
  onProgress?: (progress: JudgeProgress) => void;
  /** the model endpoint, for tests that point the judge at a local fake server */
  target?: ModelTarget;
}

/**
 * Judges up to `limit` cases of the pair that this judge (connection, model and rubric) has not judged yet, in both
 * orders, storing two votes per case. Resumable: a second pass continues with the cases still missing.
 */
export async function runJudge(workspaceId: string, userId: string, input: JudgeInput, options: JudgeRunOptions = {}): Promise<JudgeProgress & { judge: string }> {
  const parsed = judgeInput.parse(input);
  if (parsed.variantAId === parsed.variantBId) throw new AppError("bad_request", "judge", "variantBId: the two variants must differ");
  await loadVariants(workspaceId, [parsed.variantAId, parsed.variantBId]);
  const resolved = await resolveTarget(workspaceId, parsed.connectionId, parsed.model);
  // The connection's concurrency and RPM/TPM limits hold for the judge as for a run on the same connection: both go
  // through limitedCall, which shares them per connection.
  const limited: LimitedTarget = {
    target: options.target ?? resolved,
    limitKey: resolved.connectionId,
    connectionId: resolved.connectionId,
    concurrency: resolved.concurrency,
    rpm: resolved.rpm,
    tpm: resolved.tpm,
  };
  // Both orders of a case are judged at once, so the judge's own concurrency bounds calls, not cases.
  const calls = new Semaphore(parsed.concurrency);
  const maxRetries = options.maxRetries ?? 3;
  const signal = options.signal ?? new AbortController().signal;
  const judge = judgeName(resolved.connectionName, parsed.model, parsed.rubric);
  const a = parsed.variantAId;
  const b = parsed.variantBId;

  const pending = await db.$queryRaw<JudgeCase[]>`
    SELECT ca.id AS "caseId", ca.key, ca.variables, ca.expected, ra.output AS "outputA", rb.output AS "outputB"
    FROM "Result" ra
    JOIN "Case" ca ON ca.id = ra."caseId"
    JOIN "Result" rb ON rb."variantId" = ${b} AND rb.repeat = 0 AND rb.error IS NULL AND rb.output IS NOT NULL
    JOIN "Case" cb ON cb.id = rb."caseId" AND cb.key = ca.key
    WHERE ra."variantId" = ${a} AND ra.repeat = 0 AND ra.error IS NULL AND ra.output IS NOT NULL
      AND (SELECT count(*) FROM "Vote" v WHERE v."caseId" = ca.id AND v.repeat = 0 AND v.judge = ${judge}
             AND ((v."variantAId" = ${a} AND v."variantBId" = ${b}) OR (v."variantAId" = ${b} AND v."variantBId" = ${a}))) < 2
    ORDER BY ca.position, ca.key
    LIMIT ${parsed.limit}`;

  const progress: JudgeProgress = { total: pending.length, done: 0, agreed: 0, disagreed: 0, failed: 0, lastError: null };
  options.onProgress?.({ ...progress });
  const params = { temperature: 0, maxTokens: 400 };

  async function verdictFor(item: JudgeCase, leftVariant: string): Promise<JudgeVerdict> {
    const [first, second] = leftVariant === a ? [item.outputA, item.outputB] : [item.outputB, item.outputA];
    const messages = judgeMessages(parsed.rubric, item.variables, item.expected, first, second);
    const { result } = await limitedCall(limited, messages, params, { run: calls }, { maxRetries, signal });
    if (result.error) throw new Error(`${resolved.connectionName} / ${parsed.model}: ${result.error.message}`);
    const verdict = parseJudgeReply(result.output);
    if (!verdict) throw new Error(`could not read the judge's answer for case "${item.key}": ${result.output.slice(0, 200)}`);
    return verdict;
  }

  async function judgeCase(item: JudgeCase): Promise<void> {
    try {
      const [aLeft, bLeft] = await Promise.all([verdictFor(item, a), verdictFor(item, b)]);
      // Replace any half-finished earlier attempt, then store both orders together.
      await db.$transaction([
        db.vote.deleteMany({
          where: {
            workspaceId,
            caseId: item.caseId,
            repeat: 0,
            judge,
            OR: [
              { variantAId: a, variantBId: b },
              { variantAId: b, variantBId: a },
            ],
          },
        }),
        db.vote.createMany({
          data: [
            { workspaceId, caseId: item.caseId, repeat: 0, variantAId: a, variantBId: b, leftVariantId: a, choice: aLeft.choice, judge, reasoning: aLeft.reasoning, voterId: userId },
            { workspaceId, caseId: item.caseId, repeat: 0, variantAId: a, variantBId: b, leftVariantId: b, choice: bLeft.choice, judge, reasoning: bLeft.reasoning, voterId: userId },
          ],
        }),
      ]);
      const agree = preferenceOf({ leftVariantId: a, choice: aLeft.choice }, a, b) === preferenceOf({ leftVariantId: b, choice: bLeft.choice }, a, b);
      if (agree) progress.agreed++;
      else progress.disagreed++;
    } catch (error) {
      if (options.signal?.aborted) return;
      progress.failed++;
      progress.lastError = error instanceof Error ? error.message : String(error);
    } finally {
      progress.done++;
      options.onProgress?.({ ...progress });
    }
  }

  let next = 0;
  const workers = Array.from({ length: Math.min(parsed.concurrency, pending.length) }, async () => {
    while (next < pending.length && !options.signal?.aborted) {
      const item = pending[next++] as JudgeCase;
      await judgeCase(item);
    }
  });
  await Promise.all(workers);
  return { ...progress, judge };
}
