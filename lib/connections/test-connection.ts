import { fetchModels, LIST_MODELS_TIMEOUT_MS } from "../llm/list-models.ts";
import { formatDuration } from "../format.ts";
import type { ModelTarget } from "../llm/types.ts";

export type ConnectionTestResult =
  | { ok: true; models: string[]; latencyMs: number }
  | {
      ok: false;
      kind: "auth" | "unreachable" | "timeout" | "not_openai" | "http";
      status?: number;
      message: string;
    };

/** GET /models and say, in plain words, what went wrong when it did. */
export async function testConnection(
  target: Omit<ModelTarget, "model" | "timeoutMs"> & { timeoutMs?: number },
): Promise<ConnectionTestResult> {
  const timeoutMs = target.timeoutMs ?? LIST_MODELS_TIMEOUT_MS;
  const answer = await fetchModels({ ...target, timeoutMs });
  if (answer.ok) return { ok: true, models: answer.models, latencyMs: answer.latencyMs };

  const { error, status, contentType } = answer;
  const withStatus = status === undefined ? {} : { status };
  const said = error.message.replace(/\.$/, "");
  if (error.kind === "auth" || status === 401 || status === 403) {
    const what = target.apiKey ? "The server rejected the API key" : "The server wants an API key, and none is set";
    return { ok: false, kind: "auth", ...withStatus, message: `${what} (${status ?? "auth error"}): ${said}.` };
  }
  if (error.kind === "network") return { ok: false, kind: "unreachable", message: error.message };
  if (error.kind === "timeout") return { ok: false, kind: "timeout", message: `No answer within ${formatDuration(timeoutMs)}.` };
  // A wrong base URL often lands on a web page (an HTML 404, a login page): that is "not an API", whatever the status.
  const media = contentType?.split(";")[0]?.trim();
  if (error.kind === "invalid_response" || (media !== undefined && !media.includes("json"))) {
    const got = media ? `got ${media}${status !== undefined && status !== 200 ? `, HTTP ${status}` : ""}` : "got no content type";
    return {
      ok: false,
      kind: "not_openai",
      ...withStatus,
      message: `The server answered, but not like an OpenAI-compatible API (${got}). Check the base URL; it usually ends in /v1.`,
    };
  }
  return { ok: false, kind: "http", ...withStatus, message: `The server answered ${status ?? "with an error"} to GET /models: ${said}.` };
}
