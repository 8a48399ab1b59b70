import { describe, expect, it } from "vitest";
import { toChatRequest } from "../../../lib/llm/request-body.ts";

const messages = [{ role: "user" as const, content: "Hi" }];

describe("toChatRequest", () => {
  it("always streams and asks for usage", () => {
    expect(toChatRequest("gpt-4o-mini", messages, {})).toEqual({
      model: "gpt-4o-mini",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("sends max_completion_tokens to OpenAI reasoning models and max_tokens to the rest", () => {
    expect(toChatRequest("gpt-5-mini", messages, { maxTokens: 100 })).toMatchObject({ max_completion_tokens: 100 });
    expect(toChatRequest("o4-mini", messages, { maxTokens: 100 })).not.toHaveProperty("max_tokens");
    expect(toChatRequest("llama3.2:3b", messages, { maxTokens: 100 })).toMatchObject({ max_tokens: 100 });
    expect(toChatRequest("gpt-4o", messages, { maxTokens: 100 })).toMatchObject({ max_tokens: 100 });
  });

  it("maps sampling parameters and a JSON schema response format to the wire names", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const body = toChatRequest("gpt-4.1", messages, {
      temperature: 0.2,
      topP: 0.9,
      stop: ["\n\n"],
      seed: 42,
      responseFormat: { type: "json_schema", name: "answer", schema, strict: true },
    });
    expect(body).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      stop: ["\n\n"],
      seed: 42,
      response_format: { type: "json_schema", json_schema: { name: "answer", schema, strict: true } },
    });
  });

  it("leaves out the default text format and an empty stop list", () => {
    const body = toChatRequest("gpt-4.1", messages, { responseFormat: { type: "text" }, stop: [] });
    expect(body).not.toHaveProperty("response_format");
    expect(body).not.toHaveProperty("stop");
  });
});
