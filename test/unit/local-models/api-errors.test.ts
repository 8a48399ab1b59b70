import { describe, expect, it } from "vitest";
import { contextLengthExceeded, modelLoading, modelNotFound, toOpenAiError } from "../../../lib/local-models/api-errors.ts";
import { chatCompletionRequest, completionRequest } from "../../../lib/local-models/schema.ts";

function parseError(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return toOpenAiError(error);
  }
  throw new Error("expected a validation error");
}

describe("OpenAI-shaped errors", () => {
  it("404 model_not_found names the model", () => {
    expect(toOpenAiError(modelNotFound("llama-9"))).toEqual({
      status: 404,
      body: { error: { message: "The model 'llama-9' does not exist", type: "invalid_request_error", param: "model", code: "model_not_found" } },
    });
  });

  it("400 context_length_exceeded gives both sizes", () => {
    const { status, body } = toOpenAiError(contextLengthExceeded(900, 512, "messages"));
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "context_length_exceeded", param: "messages" });
    expect(body.error.message).toContain("512 tokens");
    expect(body.error.message).toContain("900 tokens");
  });

  it("503 while loading carries Retry-After", () => {
    expect(toOpenAiError(modelLoading("m", 2))).toMatchObject({ status: 503, retryAfterSeconds: 2, body: { error: { type: "server_error", code: "model_loading" } } });
  });

  it.each([
    [{ model: "m", messages: [{ role: "user", content: "hi" }], temperature: 3 }, "temperature"],
    [{ model: "m", messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    [{ model: "m", messages: [] }, "messages"],
    [{ model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 0 }, "max_tokens"],
    [{ model: "m", messages: [{ role: "user", content: "hi" }], n: 2 }, "n"],
    [{ model: "m", messages: [{ role: "user", content: "hi" }], response_format: { type: "json_schema" } }, "response_format.json_schema"],
    [{ messages: [{ role: "user", content: "hi" }] }, "model"],
  ])("400 names the offending parameter of %j", (body, param) => {
    const { status, body: error } = parseError(() => chatCompletionRequest.parse(body));
    expect(status).toBe(400);
    expect(error.error.param).toBe(param);
    expect(error.error.message).toMatch(new RegExp(`^Invalid '${param.replace(/[.[\]]/g, "\\$&")}'`));
    expect(error.error.type).toBe("invalid_request_error");
  });

  it("400 for a completions prompt list longer than one", () => {
    const { body } = parseError(() => completionRequest.parse({ model: "m", prompt: ["a", "b"] }));
    expect(body.error).toMatchObject({ param: "prompt", message: "Invalid 'prompt': exactly one prompt per request" });
  });
});
