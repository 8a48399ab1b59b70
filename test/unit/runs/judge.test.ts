import { describe, expect, it } from "vitest";
import { createJudge, judgeMessages, JudgeError, parseVerdict } from "../../../lib/runs/judge.ts";

describe("llm-rubric judge", () => {
  it("reads a verdict wrapped in prose or code fences", () => {
    expect(parseVerdict('Sure.\n```json\n{"reasoning": "polite", "pass": true, "score": 0.9}\n```')).toEqual({
      pass: true,
      score: 0.9,
      reasoning: "polite",
    });
    expect(parseVerdict('{"score": 0.2, "reasoning": "rude"}')).toEqual({ pass: false, score: 0.2, reasoning: "rude" });
    expect(parseVerdict('{"pass": true}')).toEqual({ pass: true, score: 1, reasoning: "" });
  });

  it("rejects answers without a verdict", () => {
    expect(() => parseVerdict("I think it is fine")).toThrow(JudgeError);
    expect(() => parseVerdict('{"reasoning": "no verdict"}')).toThrow(/neither "pass" nor "score"/);
  });

  it("shows the judge the rubric, the input, the reference and the output", async () => {
    const messages = judgeMessages("Is polite", "Hello!", { output: "Hello!", expected: "Hi", variables: { name: "Ada" } });
    expect(messages[1]?.content).toContain("<rubric>\nIs polite\n</rubric>");
    expect(messages[1]?.content).toContain("name: Ada");
    expect(messages[1]?.content).toContain("<reference_answer>\nHi\n</reference_answer>");
    const judge = createJudge(async () => '{"pass": false, "score": 0.1, "reasoning": "curt"}');
    await expect(judge("Is polite", "K.", { output: "K.", variables: {} })).resolves.toMatchObject({ pass: false, reasoning: "curt" });
  });
});
