import { describe, expect, it } from "vitest";
import { CONNECTION_PRESETS, findPreset, presetModel } from "../../../lib/connections/presets.ts";
import { createConnectionInput } from "../../../lib/connections/schema.ts";

describe("connection presets", () => {
  it("each preset makes a valid connection", () => {
    for (const preset of CONNECTION_PRESETS) {
      const parsed = createConnectionInput.safeParse({
        name: preset.label,
        kind: preset.kind,
        preset: preset.id,
        baseUrl: preset.baseUrl,
        models: preset.models,
      });
      expect(parsed.success, `${preset.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it("prices every OpenAI model asked for, output dearer than input", () => {
    const openai = findPreset("openai");
    const names = ["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini", "o3", "o4-mini"];
    expect(openai?.models.map((model) => model.name)).toEqual(names);
    for (const model of openai?.models ?? []) {
      expect(model.inputPricePerM).toBeGreaterThan(0);
      expect(model.outputPricePerM).toBeGreaterThan(model.inputPricePerM ?? Infinity);
      expect(model.contextWindow).toBeGreaterThanOrEqual(128_000);
    }
    expect(presetModel("openai", "gpt-4o-mini")).toEqual({ name: "gpt-4o-mini", contextWindow: 128_000, inputPricePerM: 0.15, outputPricePerM: 0.6 });
  });

  it("finds a known model's price through another preset, and prices local models at zero", () => {
    expect(presetModel(null, "gpt-4.1-mini")?.inputPricePerM).toBe(0.4);
    expect(presetModel("ollama", "llama3.2:3b")).toEqual({ name: "llama3.2:3b", contextWindow: null, inputPricePerM: 0, outputPricePerM: 0 });
    expect(presetModel("openrouter", "some/unknown-model")).toBeUndefined();
  });

  it("ships the endpoints users expect", () => {
    expect(findPreset("gemini")?.baseUrl).toBe("https://generativelanguage.googleapis.com/v1beta/openai/");
    expect(findPreset("anthropic")?.baseUrl).toBe("https://api.anthropic.com/v1/");
    expect(findPreset("ollama")).toMatchObject({ baseUrl: "http://localhost:11434/v1", needsKey: false });
    expect(findPreset("llama-cpp")).toMatchObject({ baseUrl: "http://localhost:8080/v1", needsKey: false });
    expect(findPreset("local")).toMatchObject({ baseUrl: "http://127.0.0.1:8088/v1", kind: "local", needsKey: false });
  });
});
