import { describe, expect, it } from "vitest";
import { parseJudgeReply, judgeMessages } from "@/lib/compare/judge.ts";
import { preferenceOf, summarizeVotes } from "@/lib/compare/votes.ts";
import { planAblation } from "@/lib/compare/ablation-plan.ts";

type Vote = Parameters<typeof summarizeVotes>[0][number];

function vote(caseId: string, leftVariantId: string, choice: "left" | "right" | "tie", judge: string | null = null, voterId: string | null = "u1"): Vote {
  return { caseId, repeat: 0, variantAId: "a", variantBId: "b", leftVariantId, choice, judge, voterId };
}

describe("parseJudgeReply", () => {
  it("reads the JSON verdict, also inside prose or code fences, and maps 1/2/tie to sides", () => {
    expect(parseJudgeReply('{"reasoning": "More complete.", "winner": "2"}')).toEqual({ choice: "right", reasoning: "More complete." });
    expect(parseJudgeReply('Here you go:\n```json\n{"winner": 1, "reasoning": "Correct label."}\n```')).toEqual({ choice: "left", reasoning: "Correct label." });
    expect(parseJudgeReply('{"winner": "Tie", "reasoning": "Both wrong."}')?.choice).toBe("tie");
    expect(parseJudgeReply('Winner: "2" because it is shorter')?.choice).toBe("right");
    expect(parseJudgeReply("I cannot decide.")).toBeNull();
    expect(parseJudgeReply('{"winner": "maybe"}')).toBeNull();
  });

  it("shows the rubric, the input, the reference and both responses in the order asked", () => {
    const [, user] = judgeMessages("Prefer correct labels.", { text: "great" }, "positive", "first answer", "second answer");
    expect(user?.content).toBe("## Rubric\nPrefer correct labels.\n\n## Input\ntext: great\n\n## Reference answer\npositive\n\n## Response 1\nfirst answer\n\n## Response 2\nsecond answer");
  });
});

describe("summarizeVotes", () => {
  it("maps sides back to variants and combines several reviewers of one case into one outcome", () => {
    expect(preferenceOf({ leftVariantId: "b", choice: "left" }, "a", "b")).toBe(1);
    expect(preferenceOf({ leftVariantId: "b", choice: "right" }, "a", "b")).toBe(-1);
    expect(preferenceOf({ leftVariantId: "a", choice: "right" }, "a", "b")).toBe(1);
    expect(preferenceOf({ leftVariantId: "a", choice: "tie" }, "a", "b")).toBe(0);
    const votes = [
      vote("c1", "a", "right"),
      vote("c1", "b", "left", null, "u2"),
      vote("c2", "a", "left"),
      vote("c2", "a", "right", null, "u2"),
      vote("c3", "b", "right"),
      vote("c4", "a", "tie"),
    ];
    const summary = summarizeVotes(votes, "a", "b");
    expect(summary.people).toMatchObject({ wins: 1, losses: 1, ties: 2, votes: 6, voters: 2, cases: 4 });
    // One win, one loss: the two-sided sign test cannot be more even (P = 1 by definition).
    expect(summary.people.pValue).toBe(1);
  });

  it("counts a judged case only when both orders agree and reports the share that flipped", () => {
    const judge = "j";
    const votes = [
      // c1: B wins in both orders; c2: the first shown wins both times (position bias); c3: tie both times.
      vote("c1", "a", "right", judge), vote("c1", "b", "left", judge),
      vote("c2", "a", "left", judge), vote("c2", "b", "left", judge),
      vote("c3", "a", "tie", judge), vote("c3", "b", "tie", judge),
      // c4 judged in one order only: not counted.
      vote("c4", "a", "left", judge),
    ];
    const [summary] = summarizeVotes(votes, "a", "b").judges;
    expect(summary).toMatchObject({ judge, cases: 3, agreed: 2, winRate: { wins: 1, losses: 0, ties: 1 } });
    expect(summary?.positionBias?.estimate).toBeCloseTo(1 / 3, 12);
  });
});

describe("planAblation", () => {
  const content = {
    messages: [{ role: "user" as const, content: "{{ text }}" }],
    exampleMode: "chat" as const,
    examples: [1, 2, 3, 4].map((index) => ({ variables: { text: `e${index}` }, output: `o${index}` })),
    counterexamples: [{ variables: { text: "c" }, output: "bad", reason: "why" }],
  };

  it("goes from zero-shot to all shots, keeping the messages and the example order", () => {
    const plan = planAblation(content, true);
    expect(plan.map((item) => item.label)).toEqual(["zero-shot", "first 1 example", "first 2 examples", "first 3 examples", "all 4 examples", "4 examples + 1 counterexample"]);
    expect(plan[2]?.prompt.examples).toEqual(content.examples.slice(0, 2));
    expect(plan.every((item) => item.prompt.messages === content.messages)).toBe(true);
    expect(plan.map((item) => item.prompt.counterexamples.length)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(planAblation(content, false).map((item) => item.label)).toEqual(["zero-shot", "all 4 examples", "4 examples + 1 counterexample"]);
  });

  it("handles counterexamples without examples and refuses a prompt with neither", () => {
    expect(planAblation({ ...content, examples: [] }, true).map((item) => item.label)).toEqual(["zero-shot", "1 counterexample only"]);
    expect(() => planAblation({ ...content, examples: [], counterexamples: [] }, false)).toThrow(/nothing to ablate/);
  });
});
