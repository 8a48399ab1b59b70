// promptfoo providers → Assay inline targets (an OpenAI-compatible base URL, the environment variable holding the
// key, the model, the parameters). Only providers that speak the OpenAI chat completions API can be run; any other
// is refused by name. The base URLs and key variables are promptfoo's own defaults for each provider.

export interface ConvertedTarget {
  label: string;
  baseURL: string;
  apiKeyEnv?: string;
  model: string;
  params: Record<string, unknown>;
}

/** Providers that are OpenAI's chat completions API under another name: prefix → default base URL and key variable. */
const COMPATIBLE: Record<string, { baseURL: string; keyEnv: string; baseEnv?: string }> = {
  openrouter: { baseURL: "https://openrouter.ai/api/v1", keyEnv: "OPENROUTER_API_KEY" },
  groq: { baseURL: "https://api.groq.com/openai/v1", keyEnv: "GROQ_API_KEY" },
  deepseek: { baseURL: "https://api.deepseek.com/v1", keyEnv: "DEEPSEEK_API_KEY" },
  togetherai: { baseURL: "https://api.together.xyz/v1", keyEnv: "TOGETHER_API_KEY" },
  perplexity: { baseURL: "https://api.perplexity.ai", keyEnv: "PERPLEXITY_API_KEY" },
  fireworks: { baseURL: "https://api.fireworks.ai/inference/v1", keyEnv: "FIREWORKS_API_KEY" },
  mistral: { baseURL: "https://api.mistral.ai/v1", keyEnv: "MISTRAL_API_KEY" },
  xai: { baseURL: "https://api.x.ai/v1", keyEnv: "XAI_API_KEY" },
  localai: { baseURL: "http://localhost:8080/v1", keyEnv: "LOCALAI_API_KEY", baseEnv: "LOCALAI_BASE_URL" },
};

const OPENAI_DEFAULT_MODEL = "gpt-4.1-mini";

/** promptfoo `config` keys → Assay model parameters. Others are reported, not silently dropped. */
const PARAMS: Record<string, string> = {
  temperature: "temperature",
  max_tokens: "maxTokens",
  max_completion_tokens: "maxTokens",
  top_p: "topP",
  stop: "stop",
  seed: "seed",
  response_format: "responseFormat",
};

/** Keys of a provider's `config` that say where and how to connect; read here, not parameters. */
const CONNECTION_KEYS = new Set(["apiBaseUrl", "apiHost", "apiKey", "apiKeyEnvar", "apiKeyRequired", "organization", "headers"]);

export class ProviderProblem extends Error {}

export interface ProviderSpec {
  id: string;
  label?: string | undefined;
  config?: Record<string, unknown> | undefined;
}

export interface ProviderConversion {
  target: ConvertedTarget;
  /** a literal key from the config, to hand to the run through a variable of this process only */
  literalKey?: string;
  /** the provider's own key variable (OPENAI_API_KEY, GROQ_API_KEY, …) */
  keyEnv: string;
  /** what was ignored, said plainly */
  notes: string[];
}

function baseFromHost(host: string): string {
  return /^https?:\/\//.test(host) ? host.replace(/\/+$/, "") : `https://${host.replace(/\/+$/, "")}/v1`;
}

/**
 * One provider. `environment` is the process's (with the config's `env:` applied): promptfoo reads
 * OPENAI_BASE_URL / OPENAI_API_BASE_URL / OPENAI_API_HOST and OPENAI_API_KEY from it.
 */
export function convertProvider(spec: ProviderSpec, environment: Record<string, string | undefined>): ProviderConversion {
  const id = spec.id.trim();
  const config = spec.config ?? {};
  const notes: string[] = [];
  let baseURL: string;
  let keyEnv: string;
  let model: string;
  const parts = id.split(":");
  const family = parts[0]!;
  if (family === "openai") {
    const kind = parts[1];
    if (kind === "completion" || kind === "responses" || kind === "assistant" || kind === "realtime" || kind === "embedding" || kind === "embeddings" || kind === "image" || kind === "transcription") {
      throw new ProviderProblem(`provider "${id}" is not supported: Assay runs OpenAI's chat completions API (use openai:chat:<model>)`);
    }
    model = kind === "chat" ? parts.slice(2).join(":") || OPENAI_DEFAULT_MODEL : parts.slice(1).join(":") || OPENAI_DEFAULT_MODEL;
    const fromEnvironment = environment.OPENAI_BASE_URL ?? environment.OPENAI_API_BASE_URL ?? (environment.OPENAI_API_HOST ? baseFromHost(environment.OPENAI_API_HOST) : undefined);
    baseURL = fromEnvironment ?? "https://api.openai.com/v1";
    keyEnv = "OPENAI_API_KEY";
  } else if (COMPATIBLE[family]) {
    const known = COMPATIBLE[family]!;
    // localai:chat:<model> and localai:<model> both name the chat API
    model = (parts[1] === "chat" ? parts.slice(2) : parts.slice(1)).join(":");
    if (!model) throw new ProviderProblem(`provider "${id}" names no model (write ${family}:<model>)`);
    baseURL = (known.baseEnv ? environment[known.baseEnv] : undefined) ?? known.baseURL;
    keyEnv = known.keyEnv;
  } else {
    throw new ProviderProblem(
      `provider "${id}" is not supported: Assay runs OpenAI-compatible chat APIs (openai:chat:<model>, openai:<model>, ${Object.keys(COMPATIBLE).map((name) => `${name}:<model>`).join(", ")}, or openai:chat:<model> with config.apiBaseUrl for any other)`,
    );
  }
  if (typeof config.apiBaseUrl === "string") baseURL = config.apiBaseUrl.replace(/\/+$/, "");
  else if (typeof config.apiHost === "string") baseURL = baseFromHost(config.apiHost);

  let apiKeyEnv: string | undefined;
  let literalKey: string | undefined;
  if (typeof config.apiKey === "string" && config.apiKey !== "") {
    literalKey = config.apiKey;
  } else if (typeof config.apiKeyEnvar === "string") {
    apiKeyEnv = config.apiKeyEnvar;
  } else if (environment[keyEnv] !== undefined || config.apiBaseUrl === undefined) {
    // The provider's own variable: required for its own service (a clear "not set" error when missing), optional for
    // a server of one's own given by apiBaseUrl, which often needs no key.
    apiKeyEnv = keyEnv;
  }

  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (CONNECTION_KEYS.has(key)) {
      if (key === "headers" || key === "organization") notes.push(`config.${key} is not sent (Assay sends only the key)`);
      continue;
    }
    const name = PARAMS[key];
    if (!name) {
      notes.push(`config.${key} is not an option Assay passes on; it is ignored`);
      continue;
    }
    if (name === "stop" && typeof value === "string") params.stop = [value];
    else if (name === "responseFormat") {
      // OpenAI's wire shape { type: "json_schema", json_schema: { name, schema, strict } } → Assay's flat one
      const format = value as { type?: string; json_schema?: Record<string, unknown> };
      params.responseFormat = format?.type === "json_schema" && format.json_schema ? { type: "json_schema", ...format.json_schema } : value;
    }
    else params[name] = value;
  }
  return {
    target: { label: spec.label ?? id, baseURL, ...(apiKeyEnv ? { apiKeyEnv } : {}), model, params },
    ...(literalKey !== undefined ? { literalKey } : {}),
    keyEnv,
    notes,
  };
}
