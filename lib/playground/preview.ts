import { assembleMessages } from "../prompts/assemble.ts";
import { validatePrompt } from "../prompts/render.ts";
import { countChatTokens } from "../prompts/tokens.ts";
import { costOf } from "../prompts/cost.ts";
import type { ChatMessage, TemplateVariables } from "../prompts/types.ts";
import { modelInfo } from "./model-info.ts";
import type { DraftInput } from "./schema.ts";

export interface PreviewResult {
  messages: ChatMessage[];
  variables: string[];
  problems: { path?: string; line?: number; column?: number; message: string }[];
  tokens: { count: number; estimated: boolean; encoding: string } | null;
  contextWindow: number | null;
  contextShare: number | null;
  inputCost: number | null;
}

/**
 * What the editor shows live: the exact messages, every template problem, and the input's tokens, share of the
 * context window and cost. Variables not filled in yet show as ⟨name⟩ so the preview stays readable while typing;
 * a run refuses them.
 */
export async function previewDraft(workspaceId: string, draft: DraftInput, variables: Record<string, string>): Promise<PreviewResult> {
  const validation = validatePrompt(draft);
  const values: TemplateVariables = Object.fromEntries(validation.variables.map((name) => [name, variables[name] || `⟨${name}⟩`]));
  const problems = validation.problems.map(({ path, line, column, message }) => ({ path, line, column, message }));
  if (problems.length > 0) {
    return { messages: [], variables: validation.variables, problems, tokens: null, contextWindow: null, contextShare: null, inputCost: null };
  }
  const messages = assembleMessages(draft, values);
  const model = draft.model ?? "gpt-4o";
  const count = countChatTokens(messages, model);
  const info = await modelInfo(workspaceId, draft.connectionId, draft.model);
  const contextWindow = info?.contextWindow ?? null;
  return {
    messages,
    variables: validation.variables,
    problems,
    tokens: { count: count.tokens, estimated: count.estimated, encoding: count.encoding },
    contextWindow,
    contextShare: contextWindow ? count.tokens / contextWindow : null,
    inputCost: info ? costOf({ inputTokens: count.tokens, outputTokens: 0 }, info) : null,
  };
}
