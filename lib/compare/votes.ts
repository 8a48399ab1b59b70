import { randomInt } from "node:crypto";
import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { signTest, wilsonInterval } from "../stats/index.ts";
import { loadVariants } from "./load.ts";
import { recordVoteInput } from "./schema.ts";
import type { RecordVoteInput } from "./schema.ts";
import type { JudgeSummary, PreferenceSummary, WinRate } from "./types.ts";

// Blind pairwise preference. A reviewer sees a case's two outputs in random order without labels and picks left,
// right or tie; the vote stores who voted and which variant was on the left, so order effects can be studied later.
// Win rates count cases, not votes: several reviewers on one case are combined into that case's net preference,
// so a case many people looked at does not weigh more in the test.

export interface ReviewItem {
  caseId: string;
  key: string;
  repeat: number;
  variables: unknown;
  expected: string | null;
  /** the variant shown on the left; the screen never shows which one it is */
  leftVariantId: string;
  left: string;
  right: string;
  progress: { voted: number; total: number };
}

interface PairRow {
  caseId: string;
  key: string;
  outputA: string;
  outputB: string;
}

function samePair(a: string, b: string): Prisma.Sql {
  return Prisma.sql`(("variantAId" = ${a} AND "variantBId" = ${b}) OR ("variantAId" = ${b} AND "variantBId" = ${a}))`;
}

async function pairCounts(a: string, b: string, voterId: string): Promise<{ voted: number; total: number }> {
  const [row] = await db.$queryRaw<{ total: bigint | number; voted: bigint | number }[]>`
    SELECT count(*) AS total,
      count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM "Vote" v WHERE v."caseId" = ca.id AND v.repeat = 0 AND v."voterId" = ${voterId} AND v.judge IS NULL
          AND ${samePair(a, b)})) AS voted
    FROM "Result" ra
    JOIN "Case" ca ON ca.id = ra."caseId"
    JOIN "Result" rb ON rb."variantId" = ${b} AND rb.repeat = 0 AND rb.error IS NULL AND rb.output IS NOT NULL
    JOIN "Case" cb ON cb.id = rb."caseId" AND cb.key = ca.key
    WHERE ra."variantId" = ${a} AND ra.repeat = 0 AND ra.error IS NULL AND ra.output IS NOT NULL`;
  return { voted: Number(row?.voted ?? 0), total: Number(row?.total ?? 0) };
}

/**
 * A random case this reviewer has not voted on for the pair (both variants answered it without error), with its
 * two outputs in random order. Null when every case has a vote from them.
 */
export async function nextReviewItem(workspaceId: string, voterId: string, a: string, b: string): Promise<ReviewItem | null> {
  await loadVariants(workspaceId, [a, b]);
  const [row] = await db.$queryRaw<PairRow[]>`
    SELECT ca.id AS "caseId", ca.key, ra.output AS "outputA", rb.output AS "outputB"
    FROM "Result" ra
    JOIN "Case" ca ON ca.id = ra."caseId"
    JOIN "Result" rb ON rb."variantId" = ${b} AND rb.repeat = 0 AND rb.error IS NULL AND rb.output IS NOT NULL
    JOIN "Case" cb ON cb.id = rb."caseId" AND cb.key = ca.key
    WHERE ra."variantId" = ${a} AND ra.repeat = 0 AND ra.error IS NULL AND ra.output IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM "Vote" v WHERE v."caseId" = ca.id AND v.repeat = 0 AND v."voterId" = ${voterId} AND v.judge IS NULL
          AND ${samePair(a, b)})
    ORDER BY random() LIMIT 1`;
  const progress = await pairCounts(a, b, voterId);
  if (!row) return null;
  const caseRow = await db.case.findUniqueOrThrow({ where: { id: row.caseId }, select: { variables: true, expected: true } });
  const aOnLeft = randomInt(2) === 0;
  return {
    caseId: row.caseId,
    key: row.key,
    repeat: 0,
    variables: caseRow.variables,
    expected: caseRow.expected,
    leftVariantId: aOnLeft ? a : b,
    left: aOnLeft ? row.outputA : row.outputB,
    right: aOnLeft ? row.outputB : row.outputA,
    progress,
  };
}

export interface StoredVote {
  id: string;
  caseId: string;
  choice: "left" | "right" | "tie";
  leftVariantId: string;
}

/** Stores a person's vote; voting again on the same case replaces their earlier vote. */
export async function recordVote(workspaceId: string, voterId: string, input: RecordVoteInput): Promise<StoredVote> {
  const vote = recordVoteInput.parse(input);
  if (vote.variantAId === vote.variantBId) throw new AppError("bad_request", "vote", "variantBId: the two variants must differ", [{ path: "variantBId", message: "same as variantAId" }]);
  if (vote.leftVariantId !== vote.variantAId && vote.leftVariantId !== vote.variantBId) {
    throw new AppError("bad_request", "vote", "leftVariantId must be one of the two variants compared", [{ path: "leftVariantId", message: "not variantAId or variantBId" }]);
  }
  await loadVariants(workspaceId, [vote.variantAId, vote.variantBId]);
  const caseRow = await db.case.findFirst({ where: { id: vote.caseId, suite: { workspaceId } }, select: { id: true } });
  if (!caseRow) throw new AppError("not_found", "case", `No case "${vote.caseId}" in this workspace.`, [{ path: "caseId", message: "unknown case" }]);
  return db.$transaction(async (transaction) => {
    await transaction.vote.deleteMany({
      where: {
        workspaceId,
        caseId: vote.caseId,
        repeat: vote.repeat,
        voterId,
        judge: null,
        OR: [
          { variantAId: vote.variantAId, variantBId: vote.variantBId },
          { variantAId: vote.variantBId, variantBId: vote.variantAId },
        ],
      },
    });
    const created = await transaction.vote.create({
      data: {
        workspaceId,
        caseId: vote.caseId,
        repeat: vote.repeat,
        variantAId: vote.variantAId,
        variantBId: vote.variantBId,
        leftVariantId: vote.leftVariantId,
        choice: vote.choice,
        voterId,
      },
      select: { id: true, caseId: true, choice: true, leftVariantId: true },
    });
    return created;
  });
}

/** Withdraws one of the reviewer's own votes (undo in the review screen). */
export async function deleteVote(workspaceId: string, voterId: string, voteId: string): Promise<void> {
  const { count } = await db.vote.deleteMany({ where: { id: voteId, workspaceId, voterId, judge: null } });
  if (count === 0) throw new AppError("not_found", "vote", "No such vote of yours to withdraw.");
}

interface VoteRow {
  caseId: string;
  repeat: number;
  variantAId: string;
  variantBId: string;
  leftVariantId: string;
  choice: "left" | "right" | "tie";
  judge: string | null;
  voterId: string | null;
}

/** +1 when the vote prefers `b`, −1 when it prefers `a`, 0 for a tie. */
export function preferenceOf(vote: Pick<VoteRow, "leftVariantId" | "choice">, a: string, b: string): -1 | 0 | 1 {
  if (vote.choice === "tie") return 0;
  const chosen = vote.choice === "left" ? vote.leftVariantId : vote.leftVariantId === a ? b : a;
  return chosen === b ? 1 : -1;
}

export function winRate(wins: number, losses: number, ties: number): WinRate {
  const decided = wins + losses;
  return {
    wins,
    losses,
    ties,
    rate: decided === 0 ? null : { estimate: wins / decided, ...wilsonInterval(wins, decided) },
    pValue: decided === 0 ? null : signTest(wins, losses).pValue,
  };
}

/** Summarizes stored votes for baseline `a` against `b`: people's preference and each judge's, from b's side. */
export function summarizeVotes(votes: readonly VoteRow[], a: string, b: string): Omit<PreferenceSummary, "baselineId" | "variantId"> {
  const people = votes.filter((vote) => vote.judge === null);
  const netByCase = new Map<string, number>();
  for (const vote of people) {
    const caseKey = `${vote.caseId}:${vote.repeat}`;
    netByCase.set(caseKey, (netByCase.get(caseKey) ?? 0) + preferenceOf(vote, a, b));
  }
  let wins = 0;
  let losses = 0;
  let ties = 0;
  for (const net of netByCase.values()) {
    if (net > 0) wins++;
    else if (net < 0) losses++;
    else ties++;
  }
  const judges = new Map<string, VoteRow[]>();
  for (const vote of votes) {
    if (vote.judge === null) continue;
    const list = judges.get(vote.judge) ?? [];
    list.push(vote);
    judges.set(vote.judge, list);
  }
  const judgeSummaries: JudgeSummary[] = [...judges.entries()].map(([judge, list]) => {
    // A judged case has one verdict with a on the left and one with b on the left; both must agree to count.
    const orders = new Map<string, { aLeft?: number; bLeft?: number }>();
    for (const vote of list) {
      const caseKey = `${vote.caseId}:${vote.repeat}`;
      const entry = orders.get(caseKey) ?? {};
      if (vote.leftVariantId === a) entry.aLeft = preferenceOf(vote, a, b);
      else entry.bLeft = preferenceOf(vote, a, b);
      orders.set(caseKey, entry);
    }
    let cases = 0;
    let agreed = 0;
    let judgeWins = 0;
    let judgeLosses = 0;
    let judgeTies = 0;
    for (const entry of orders.values()) {
      if (entry.aLeft === undefined || entry.bLeft === undefined) continue;
      cases++;
      if (entry.aLeft !== entry.bLeft) continue;
      agreed++;
      if (entry.aLeft > 0) judgeWins++;
      else if (entry.aLeft < 0) judgeLosses++;
      else judgeTies++;
    }
    const disagreed = cases - agreed;
    return {
      judge,
      cases,
      agreed,
      positionBias: cases === 0 ? null : { estimate: disagreed / cases, ...wilsonInterval(disagreed, cases) },
      winRate: winRate(judgeWins, judgeLosses, judgeTies),
    };
  });
  return {
    people: {
      ...winRate(wins, losses, ties),
      votes: people.length,
      voters: new Set(people.map((vote) => vote.voterId)).size,
      cases: netByCase.size,
    },
    judges: judgeSummaries.sort((left, right) => right.cases - left.cases),
  };
}

export async function preferenceSummary(workspaceId: string, a: string, b: string): Promise<PreferenceSummary> {
  await loadVariants(workspaceId, [a, b]);
  const votes = await db.vote.findMany({
    where: {
      workspaceId,
      OR: [
        { variantAId: a, variantBId: b },
        { variantAId: b, variantBId: a },
      ],
    },
    select: { caseId: true, repeat: true, variantAId: true, variantBId: true, leftVariantId: true, choice: true, judge: true, voterId: true },
  });
  return { baselineId: a, variantId: b, ...summarizeVotes(votes, a, b) };
}
