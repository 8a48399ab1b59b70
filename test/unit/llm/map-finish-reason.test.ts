import { describe, expect, it } from "vitest";
import { mapFinishReason } from "../../../lib/llm/map-finish-reason.ts";

describe("mapFinishReason", () => {
  it.each([
    ["stop", "stop"],
    ["length", "length"],
    ["content_filter", "content_filter"],
    ["tool_calls", "tool_calls"],
    ["function_call", "tool_calls"],
    ["end_turn", "stop"],
    ["max_tokens", "length"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["eos", "stop"],
  ])("%s → %s", (raw, expected) => {
    expect(mapFinishReason(raw)).toBe(expected);
  });

  it("keeps a missing or unheard-of reason as unknown, not as stop", () => {
    expect(mapFinishReason(null)).toBe("unknown");
    expect(mapFinishReason(undefined)).toBe("unknown");
    expect(mapFinishReason("")).toBe("unknown");
    expect(mapFinishReason("weird_new_reason")).toBe("unknown");
  });
});
