import { describe, expect, it } from "vitest";
import { createConnectionInput, updateConnectionInput } from "../../../lib/connections/schema.ts";

describe("connection input", () => {
  it("fills defaults for a minimal connection", () => {
    expect(createConnectionInput.parse({ name: " Groq ", baseUrl: "https://api.groq.com/openai/v1" })).toEqual({
      name: "Groq",
      kind: "openai_compatible",
      baseUrl: "https://api.groq.com/openai/v1",
      concurrency: 4,
      timeoutMs: 60_000,
      models: [],
    });
  });

  it("points at the field that is wrong", () => {
    const result = createConnectionInput.safeParse({
      name: "x",
      baseUrl: "ftp://example.com",
      models: [{ name: "a" }, { name: "b", inputPricePerM: -1 }, { name: "a" }],
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => [issue.path.join("."), issue.message]);
    expect(issues).toContainEqual(["baseUrl", "The base URL must be an http:// or https:// address, e.g. https://api.openai.com/v1"]);
    expect(issues).toContainEqual(["models.1.inputPricePerM", "A price cannot be negative"]);
    expect(issues).toContainEqual(["models.2.name", "a is listed twice"]);
  });

  it("leaves omitted fields out of an update, so they keep their values", () => {
    expect(updateConnectionInput.parse({ rpm: null })).toEqual({ rpm: null });
    expect(updateConnectionInput.parse({})).toEqual({});
  });
});
