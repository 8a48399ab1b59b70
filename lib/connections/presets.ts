// Starting points for new connections. Prices are in US dollars per million tokens (standard tier, no caching or
// batch discounts) and are copied into a connection's model rows when the model is added, where users can edit
// them; nothing reads these tables at call time. Kept free of server-only imports: the connection form uses them.

export type ConnectionKind = "openai_compatible" | "local";

export interface ModelPreset {
  name: string;
  contextWindow: number | null;
  inputPricePerM: number | null;
  outputPricePerM: number | null;
}

export interface ConnectionPreset {
  id: string;
  label: string;
  kind: ConnectionKind;
  baseUrl: string;
  /** false for servers that run without a key (Ollama, llama.cpp, Assay's own) */
  needsKey: boolean;
  /** where to get a key */
  keyUrl?: string;
  /** models run on the user's own hardware: imported models get a price of 0 instead of unknown */
  free?: boolean;
  models: ModelPreset[];
}

const model = (
  name: string,
  contextWindow: number | null,
  inputPricePerM: number | null,
  outputPricePerM: number | null,
): ModelPreset => ({ name, contextWindow, inputPricePerM, outputPricePerM });

export const LOCAL_MODELS_DEFAULT_URL = "http://127.0.0.1:8088/v1";

export const CONNECTION_PRESETS: readonly ConnectionPreset[] = [
  {
    id: "openai",
    label: "OpenAI",
    kind: "openai_compatible",
    baseUrl: "https://api.openai.com/v1",
    needsKey: true,
    keyUrl: "https://platform.openai.com/api-keys",
    // From openai.com/api/pricing and the model pages, August 2025.
    models: [
      model("gpt-5", 400_000, 1.25, 10),
      model("gpt-5-mini", 400_000, 0.25, 2),
      model("gpt-5-nano", 400_000, 0.05, 0.4),
      model("gpt-4.1", 1_047_576, 2, 8),
      model("gpt-4.1-mini", 1_047_576, 0.4, 1.6),
      model("gpt-4.1-nano", 1_047_576, 0.1, 0.4),
      model("gpt-4o", 128_000, 2.5, 10),
      model("gpt-4o-mini", 128_000, 0.15, 0.6),
      model("o3", 200_000, 2, 8),
      model("o4-mini", 200_000, 1.1, 4.4),
    ],
  },
  {
    id: "groq",
    label: "Groq",
    kind: "openai_compatible",
    baseUrl: "https://api.groq.com/openai/v1",
    needsKey: true,
    keyUrl: "https://console.groq.com/keys",
    // groq.com/pricing, August 2025.
    models: [
      model("llama-3.1-8b-instant", 131_072, 0.05, 0.08),
      model("llama-3.3-70b-versatile", 131_072, 0.59, 0.79),
      model("openai/gpt-oss-20b", 131_072, 0.1, 0.5),
      model("openai/gpt-oss-120b", 131_072, 0.15, 0.75),
    ],
  },
  {
    id: "together",
    label: "Together AI",
    kind: "openai_compatible",
    baseUrl: "https://api.together.xyz/v1",
    needsKey: true,
    keyUrl: "https://api.together.ai/settings/api-keys",
    // together.ai/pricing, August 2025.
    models: [
      model("meta-llama/Llama-3.3-70B-Instruct-Turbo", 131_072, 0.88, 0.88),
      model("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", 131_072, 0.18, 0.18),
    ],
  },
  {
    id: "openrouter",
    label: "OpenRouter",
    kind: "openai_compatible",
    baseUrl: "https://openrouter.ai/api/v1",
    needsKey: true,
    keyUrl: "https://openrouter.ai/settings/keys",
    // Hundreds of models with prices that move often: import them from /models and fill in prices as needed.
    models: [],
  },
  {
    id: "mistral",
    label: "Mistral",
    kind: "openai_compatible",
    baseUrl: "https://api.mistral.ai/v1",
    needsKey: true,
    keyUrl: "https://console.mistral.ai/api-keys",
    // mistral.ai/pricing, August 2025.
    models: [
      model("mistral-small-latest", 131_072, 0.1, 0.3),
      model("mistral-medium-latest", 131_072, 0.4, 2),
      model("mistral-large-latest", 131_072, 2, 6),
    ],
  },
  {
    id: "gemini",
    label: "Google Gemini (OpenAI-compatible)",
    kind: "openai_compatible",
    baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai/",
    needsKey: true,
    keyUrl: "https://aistudio.google.com/apikey",
    // ai.google.dev/gemini-api/docs/pricing, August 2025 (2.5 Pro: prompts up to 200k tokens).
    models: [
      model("gemini-2.5-pro", 1_048_576, 1.25, 10),
      model("gemini-2.5-flash", 1_048_576, 0.3, 2.5),
      model("gemini-2.5-flash-lite", 1_048_576, 0.1, 0.4),
    ],
  },
  {
    id: "anthropic",
    label: "Anthropic (OpenAI-compatible)",
    kind: "openai_compatible",
    baseUrl: "https://api.anthropic.com/v1/",
    needsKey: true,
    keyUrl: "https://console.anthropic.com/settings/keys",
    // anthropic.com/pricing, August 2025.
    models: [
      model("claude-opus-4-1-20250805", 200_000, 15, 75),
      model("claude-sonnet-4-20250514", 200_000, 3, 15),
      model("claude-3-5-haiku-20241022", 200_000, 0.8, 4),
    ],
  },
  {
    id: "ollama",
    label: "Ollama",
    kind: "openai_compatible",
    baseUrl: "http://localhost:11434/v1",
    needsKey: false,
    free: true,
    models: [],
  },
  {
    id: "llama-cpp",
    label: "llama.cpp server",
    kind: "openai_compatible",
    baseUrl: "http://localhost:8080/v1",
    needsKey: false,
    free: true,
    models: [],
  },
  {
    id: "local",
    label: "Local models (Assay)",
    kind: "local",
    // `assay serve-model` listens on ASSAY_MODEL_PORT (8088 unless changed).
    baseUrl: LOCAL_MODELS_DEFAULT_URL,
    needsKey: false,
    free: true,
    models: [],
  },
];

export function findPreset(id: string | null | undefined): ConnectionPreset | undefined {
  return id ? CONNECTION_PRESETS.find((preset) => preset.id === id) : undefined;
}

/**
 * What a preset knows about a model: the connection's own preset first, then any preset listing that name (an
 * OpenAI model reached through a proxy still has OpenAI's prices). Free presets give 0 for unknown models.
 */
export function presetModel(presetId: string | null | undefined, name: string): ModelPreset | undefined {
  const own = findPreset(presetId);
  const exact = own?.models.find((item) => item.name === name);
  if (exact) return exact;
  if (own?.free) return model(name, null, 0, 0);
  for (const preset of CONNECTION_PRESETS) {
    const found = preset.models.find((item) => item.name === name);
    if (found) return found;
  }
  return undefined;
}
