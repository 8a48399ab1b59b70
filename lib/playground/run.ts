import { randomUUID } from "node:crypto";
import { db } from "../db.ts";
import { AppError, messageOf } from "../errors.ts";
import { checkMaxTokens, storedOutput } from "../limits.ts";
import { callModel } from "../llm/call-model.ts";
import type { ChatParams } from "../llm/types.ts";
import { resolveTarget } from "../connections/service.ts";
import { assembleMessages } from "../prompts/assemble.ts";
import { assertValidPrompt } from "../prompts/render.ts";
import { costOf } from "../prompts/cost.ts";
import type { PromptContent } from "../prompts/types.ts";
import type { Member } from "../auth/session.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { createSseStream } from "./sse.ts";
import { callView, type CallView } from "./views.ts";
import type { PlaygroundRunInput } from "./schema.ts";

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined && item !== null)) as Partial<T>;
}

/**
 * Runs a version or a draft against 1–4 targets at once and streams every token as it arrives. All checks (templates,
 * variables, targets) happen before the first call; every call is stored, including failed and stopped ones.
 */
export async function startPlaygroundRun(member: Member, input: PlaygroundRunInput, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const workspaceId = member.workspace.id;
  const prompt = await db.prompt.findFirst({ where: { id: input.promptId, workspaceId }, select: { id: true } });
  if (!prompt) throw new AppError("not_found", "prompt", "This prompt does not exist in your workspace.");

  let content: PromptContent & { params: ChatParams };
  let versionId: string | null = null;
  let versionNumber: number | null = null;
  if (input.versionId) {
    const version = await db.promptVersion.findFirst({ where: { id: input.versionId, promptId: prompt.id } });
    if (!version) throw new AppError("not_found", "version", "This version does not exist.");
    content = {
      messages: version.messages as unknown as PromptContent["messages"],
      examples: version.examples as unknown as PromptContent["examples"],
      counterexamples: version.counterexamples as unknown as PromptContent["counterexamples"],
      exampleMode: version.exampleMode,
      params: version.params as ChatParams,
    };
    versionId = version.id;
    versionNumber = version.number;
  } else {
    content = input.draft;
  }

  assertValidPrompt(content, input.variables);
  const messages = assembleMessages(content, input.variables);
  const targets = await Promise.all(
    input.targets.map(async (target, index) => {
      const resolved = await resolveTarget(workspaceId, target.connectionId, target.model);
      const params = { ...definedOnly(content.params), ...definedOnly(target.params) } as ChatParams;
      const from = target.params.maxTokens !== undefined ? `targets.${index}.params` : input.versionId ? "version.params" : "draft.params";
      checkMaxTokens(from, params.maxTokens, target.model, resolved.contextWindow);
      return { key: target.key, resolved, connectionId: target.connectionId, params };
    }),
  );

  const groupId = randomUUID();
  return createSseStream(async (writer) => {
    const rows: Prisma.CallCreateManyInput[] = [];
    const views: CallView[] = [];
    await Promise.all(
      targets.map(async (target) => {
        writer.send("call-started", { key: target.key, model: target.resolved.model, connectionName: target.resolved.connectionName });
        const result = await callModel(target.resolved, messages, target.params, {
          signal,
          onDelta: (text) => writer.send("text-delta", { key: target.key, text }),
        });
        const row: Prisma.CallCreateManyInput = {
          id: randomUUID(),
          workspaceId,
          groupId,
          source: "playground",
          promptId: prompt.id,
          versionId,
          connectionId: target.connectionId,
          connectionName: target.resolved.connectionName,
          model: target.resolved.model,
          params: target.params as Prisma.InputJsonValue,
          variables: input.variables,
          messages: messages as unknown as Prisma.InputJsonValue,
          output: storedOutput(result.output),
          finishReason: result.finishReason,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          usageEstimated: result.usage.estimated,
          cost: costOf(result.usage, target.resolved.prices),
          ttftMs: result.ttftMs,
          latencyMs: result.latencyMs,
          tokensPerSecond: result.tokensPerSecond,
          error: result.error ? (result.error as unknown as Prisma.InputJsonValue) : undefined,
          userId: member.user.id,
          createdAt: new Date(),
        };
        rows.push(row);
        const view = callView({ ...row, versionNumber, userName: member.user.name });
        views.push(view);
        writer.send("call-finished", { key: target.key, call: view });
      }),
    );
    // One write for the whole group (one fsync), after every target is done or stopped. The outputs are already on
    // the user's screen, so a failed write must say that the calls were made (and billed) but are not in the history.
    try {
      await db.call.createMany({ data: rows });
    } catch (error) {
      throw new Error(`The call was made but could not be saved: ${messageOf(error)}`, { cause: error });
    }
    writer.send("run-finished", { groupId });
  }, { context: "POST /api/playground/run" });
}
