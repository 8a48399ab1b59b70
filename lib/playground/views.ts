import type { Prisma } from "../generated/prisma/client.ts";
import type { ChatMessage } from "../prompts/types.ts";

export interface CallView {
  id: string;
  groupId: string;
  versionId: string | null;
  versionNumber: number | null;
  connectionName: string;
  model: string;
  variables: Record<string, string>;
  messages: ChatMessage[];
  params: Record<string, unknown>;
  output: string;
  finishReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  usageEstimated: boolean;
  cost: number | null;
  ttftMs: number | null;
  latencyMs: number | null;
  tokensPerSecond: number | null;
  error: { kind: string; status?: number; code?: string; type?: string; message: string } | null;
  userName: string | null;
  createdAt: string;
}

// Both a stored row (Json fields read back as JsonValue) and a row about to be stored fit this shape.
type JsonFields = "variables" | "messages" | "params" | "error" | "evaluation" | "attribution";
type CallLike = Omit<Prisma.CallCreateManyInput, "createdAt" | JsonFields> & {
  variables?: unknown;
  messages?: unknown;
  params?: unknown;
  error?: unknown;
  evaluation?: unknown;
  attribution?: unknown;
  id?: string;
  createdAt?: Date | string | null;
  versionNumber: number | null;
  userName: string | null;
};

/** What the browser gets for a call: no workspace ids, no connection internals. */
export function callView(call: CallLike): CallView {
  return {
    id: call.id ?? "",
    groupId: call.groupId,
    versionId: call.versionId ?? null,
    versionNumber: call.versionNumber,
    connectionName: call.connectionName ?? "",
    model: call.model,
    variables: (call.variables ?? {}) as Record<string, string>,
    messages: (call.messages ?? []) as unknown as ChatMessage[],
    params: (call.params ?? {}) as Record<string, unknown>,
    output: call.output ?? "",
    finishReason: call.finishReason ?? null,
    inputTokens: call.inputTokens ?? null,
    outputTokens: call.outputTokens ?? null,
    usageEstimated: call.usageEstimated ?? false,
    cost: call.cost ?? null,
    ttftMs: call.ttftMs ?? null,
    latencyMs: call.latencyMs ?? null,
    tokensPerSecond: call.tokensPerSecond ?? null,
    error: (call.error ?? null) as CallView["error"],
    userName: call.userName,
    createdAt: new Date(call.createdAt ?? Date.now()).toISOString(),
  };
}
