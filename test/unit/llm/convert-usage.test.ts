import { describe, expect, it } from "vitest";
import { completeUsage, convertUsage } from "../../../lib/llm/convert-usage.ts";

describe("convertUsage", () => {
  it("takes reported figures as exact", () => {
    expect(convertUsage({ prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 })).toEqual({
      inputTokens: 19,
      outputTokens: 10,
      estimated: false,
    });
  });

  it("keeps an unreported figure unknown (null), distinct from a reported zero", () => {
    expect(convertUsage(null)).toEqual({ inputTokens: null, outputTokens: null, estimated: false });
    expect(convertUsage({ prompt_tokens: 5 })).toEqual({ inputTokens: 5, outputTokens: null, estimated: false });
    expect(convertUsage({ prompt_tokens: 5, completion_tokens: 0 })).toEqual({ inputTokens: 5, outputTokens: 0, estimated: false });
  });

  it("derives a missing part from the total", () => {
    expect(convertUsage({ prompt_tokens: 7, total_tokens: 12 })).toEqual({ inputTokens: 7, outputTokens: 5, estimated: false });
    expect(convertUsage({ completion_tokens: 3, total_tokens: 12 })).toEqual({ inputTokens: 9, outputTokens: 3, estimated: false });
  });

  it("ignores nonsense values rather than passing them on", () => {
    expect(convertUsage({ prompt_tokens: -1, completion_tokens: Number.NaN })).toEqual({ inputTokens: null, outputTokens: null, estimated: false });
  });
});

describe("completeUsage", () => {
  it("counts only what is missing, and marks the result estimated", () => {
    let inputCounted = false;
    const usage = completeUsage(
      { inputTokens: 40, outputTokens: null, estimated: false },
      { input: () => ((inputCounted = true), 1), output: () => 12 },
    );
    expect(usage).toEqual({ inputTokens: 40, outputTokens: 12, estimated: true });
    expect(inputCounted).toBe(false);
  });

  it("leaves complete reported usage exact", () => {
    expect(completeUsage({ inputTokens: 1, outputTokens: 2, estimated: false }, { input: () => 9, output: () => 9 })).toEqual({
      inputTokens: 1,
      outputTokens: 2,
      estimated: false,
    });
  });
});
