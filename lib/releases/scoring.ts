import { evaluateAssertions, type Evaluation } from "../assertions/index.ts";
import { assertionInput, type Assertion } from "../assertions/schema.ts";
import type { AssertionOutcome, Judge } from "../assertions/types.ts";
import { resolveTarget } from "../connections/service.ts";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { limitedCall, type LimitedTarget } from "../llm/limited-call.ts";
import { Semaphore } from "../llm/semaphore.ts";
import type { ModelTarget } from "../llm/types.ts";
import { createJudge, JudgeError } from "../runs/judge.ts";
import type { Scoring } from "./schema.ts";

// Online scoring of release outputs (shadow and every other mode): a suite's default assertions (all, or the indices
// in `scoring.assertions`) and/or a judge rubric, evaluated by lib/assertions exactly as a run evaluates a cell — so
// a shadow release is the same comparison a suite run makes, on real traffic. There is no expected output on live
// traffic: an assertion that needs one fails with a reason that says so (and `notes` says it before any call).

export interface ScoreContext {
  variables: Record<string, unknown>;
  latencyMs: number | null;
  cost: number | null;
  outputTokens: number | null;
  finishReason: string | null;
}

export interface Scorer {
  /** the outcome as Call.evaluation stores it; a failing judge rejects (the gateway logs it and stores no evaluation) */
  score(output: string, context: ScoreContext): Promise<Evaluation>;
  /** the assertions scored, the judge's rubric last (as an llm-rubric assertion); optional so a test double needs only score */
  readonly assertions?: readonly Assertion[];
  /** what the release page says about the scoring before any call: assertions that cannot pass on live traffic */
  readonly notes?: readonly string[];
}

export interface ScorerOptions {
  /** the judge's endpoint, for tests that point it at a local fake server (the connection's limits still apply) */
  judgeTarget?: ModelTarget;
  /** judge calls in flight per scorer (default 8): online scoring must never crowd out the answers */
  judgeConcurrency?: number;
}

/** Types whose `value` defaults to the case's expected output. */
const VALUE_FROM_EXPECTED = new Set([
  "equals",
  "contains",
  "icontains",
  "contains-any",
  "contains-all",
  "starts-with",
  "regex",
  "json-path",
  "levenshtein",
  "similarity",
  "label",
]);

export const NO_EXPECTED_ON_LIVE_TRAFFIC =
  "live traffic has no expected output: give the assertion a value in the suite to score it online";

// A scorer per (release, scoring config). Entries expire so that an edit of the suite's assertions reaches a running
// release within a few minutes without a restart; a failed build is not kept (the next call tries again).
const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 200;
const cache = new Map<string, { at: number; scorer: Promise<Scorer | null> }>();

/** The scorer for a release's scoring config (cached per release and config); null when none. */
export async function getScorer(
  workspaceId: string,
  releaseId: string,
  scoring: Scoring | null,
  options: ScorerOptions = {},
): Promise<Scorer | null> {
  if (!scoring || (!scoring.suiteId && !scoring.judge)) return null;
  const key = `${workspaceId}|${releaseId}|${JSON.stringify(scoring)}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && now - hit.at < TTL_MS) return hit.scorer;
  const scorer = buildScorer(workspaceId, scoring, options);
  cache.set(key, { at: now, scorer });
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  scorer.catch(() => {
    // the caller gets the rejection; only the cache entry is dropped here, so a fixed config is picked up next time
    if (cache.get(key)?.scorer === scorer) cache.delete(key);
  });
  return scorer;
}

/** Drops every cached scorer (tests; a process that edited a suite and wants it now). */
export function clearScorerCache(): void {
  cache.clear();
}

/**
 * Checks a scoring config against the workspace: the suite exists, the indices are in range, an llm-rubric has a
 * judge. Returns the assertions that will be scored. The release service calls it when a release is created, so a
 * bad config is refused with the field named instead of failing on every call.
 */
export async function resolveScoringAssertions(workspaceId: string, scoring: Scoring): Promise<Assertion[]> {
  const assertions: Assertion[] = [];
  if (scoring.suiteId) {
    const suite = await db.suite.findFirst({ where: { id: scoring.suiteId, workspaceId }, select: { name: true, assertions: true } });
    if (!suite) throw new AppError("not_found", "suite", `scoring.suiteId: no suite "${scoring.suiteId}" in this workspace`);
    const defaults = Array.isArray(suite.assertions) ? (suite.assertions as unknown[]) : [];
    const indices = scoring.assertions ?? defaults.map((_, index) => index);
    for (const [position, index] of indices.entries()) {
      const stored = defaults[index];
      if (stored === undefined) {
        throw new AppError(
          "bad_request",
          "scoring",
          `scoring.assertions[${position}]: suite "${suite.name}" has ${defaults.length} default assertion${defaults.length === 1 ? "" : "s"}, there is no index ${index}`,
          [{ path: `scoring.assertions[${position}]`, message: `no default assertion ${index}` }],
        );
      }
      const parsed = assertionInput.safeParse(stored);
      if (!parsed.success) {
        throw new AppError("bad_request", "scoring", `scoring.assertions[${position}]: suite "${suite.name}"'s assertion ${index} is invalid`);
      }
      assertions.push(parsed.data);
    }
    if (assertions.length === 0 && !scoring.judge) {
      throw new AppError("bad_request", "scoring", `scoring.suiteId: suite "${suite.name}" has no default assertions to score with`);
    }
  }
  const rubricWithoutJudge = assertions.findIndex((assertion) => assertion.type.endsWith("llm-rubric"));
  if (rubricWithoutJudge >= 0 && !scoring.judge) {
    throw new AppError("bad_request", "scoring", "scoring.judge: the suite's assertions include an llm-rubric, which needs a judge connection and model");
  }
  if (scoring.judge) assertions.push(assertionInput.parse({ type: "llm-rubric", value: scoring.judge.rubric }));
  return assertions;
}

/** Sentences for the release page: which assertions cannot pass on live traffic, and why. */
export function scoringNotes(assertions: readonly Assertion[]): string[] {
  const notes: string[] = [];
  assertions.forEach((assertion, index) => {
    const base = assertion.type.replace(/^not-/, "");
    const record = assertion as { value?: unknown };
    const usesExpected = JSON.stringify(record.value ?? "").match(/\{\{\s*expected\s*\}\}/) !== null;
    if ((VALUE_FROM_EXPECTED.has(base) && record.value === undefined) || usesExpected) {
      notes.push(`Assertion ${index + 1} (${assertion.type}) compares with the expected output; it fails on every call because ${NO_EXPECTED_ON_LIVE_TRAFFIC}.`);
    }
  });
  return notes;
}

async function buildScorer(workspaceId: string, scoring: Scoring, options: ScorerOptions): Promise<Scorer> {
  const assertions = await resolveScoringAssertions(workspaceId, scoring);
  const judge = scoring.judge ? await buildJudge(workspaceId, scoring.judge, options) : undefined;
  return {
    assertions,
    notes: scoringNotes(assertions),
    async score(output, context) {
      const evaluation = await evaluateAssertions(
        assertions,
        {
          output,
          expected: null,
          variables: context.variables,
          latencyMs: context.latencyMs,
          cost: context.cost,
          outputTokens: context.outputTokens,
          finishReason: context.finishReason,
        },
        judge ? { judge } : {},
      );
      return { ...evaluation, results: evaluation.results.map(onLiveTraffic) };
    },
  };
}

/** The run engine's wording assumes a case; on live traffic the missing expected output is the gateway's doing. */
function onLiveTraffic(outcome: AssertionOutcome): AssertionOutcome {
  if (outcome.pass) return outcome;
  if (/has no expected output to compare with$/.test(outcome.reason)) {
    return { ...outcome, reason: `${outcome.type} has no value, and ${NO_EXPECTED_ON_LIVE_TRAFFIC}` };
  }
  if (/refers to \{\{expected\}\}/.test(outcome.reason)) {
    return { ...outcome, reason: `the assertion refers to {{expected}}, and ${NO_EXPECTED_ON_LIVE_TRAFFIC}` };
  }
  return outcome;
}

async function buildJudge(workspaceId: string, spec: NonNullable<Scoring["judge"]>, options: ScorerOptions): Promise<Judge> {
  const resolved = await resolveTarget(workspaceId, spec.connectionId, spec.model);
  // The judge connection's concurrency and RPM/TPM limits are shared with runs and compare judges through limitedCall.
  const target: LimitedTarget = {
    target: options.judgeTarget ?? resolved,
    limitKey: resolved.connectionId,
    connectionId: resolved.connectionId,
    concurrency: resolved.concurrency,
    rpm: resolved.rpm,
    tpm: resolved.tpm,
  };
  const calls = new Semaphore(options.judgeConcurrency ?? 8);
  const signal = new AbortController().signal;
  return createJudge(async (messages) => {
    const { result } = await limitedCall(target, messages, { temperature: 0, maxTokens: 400 }, { run: calls }, { maxRetries: 2, signal });
    if (result.error) throw new JudgeError(`The judge (${spec.model}) failed: ${result.error.message}`, `judge_${result.error.kind}`);
    return result.output;
  });
}
