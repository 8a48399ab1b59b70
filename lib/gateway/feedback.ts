import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { GatewayPrincipal } from "./auth.ts";
import type { CallLog, IssuedCall } from "./call-log.ts";
import { badRequest, GatewayError, jsonResponse } from "./errors.ts";
import { parseBody, readGatewayJson } from "./request.ts";

// POST /feedback and /interactions: the application tells how an answer did. Both name a call the gateway issued to
// this workspace (404 otherwise), looked up in the recent in-memory index first (the row may still be waiting in the
// write-behind buffer), then in the database; the rows go out through the same write-behind log.

export interface FeedbackRuntime {
  db: Pick<PrismaClient, "call">;
  callLog: CallLog;
}

const callIdField = z.string("call_id: the x-assay-call-id of the answer").trim().min(1, "call_id: the x-assay-call-id of the answer").max(100);

const feedbackBody = z
  .strictObject({
    call_id: callIdField,
    score: z.number("score: a number from 0 to 1").min(0, "score: at least 0").max(1, "score: at most 1").optional(),
    thumbs: z.enum(["up", "down"], 'thumbs: "up" or "down"').optional(),
    comment: z.string().max(10_000, "comment: at most 10,000 characters").optional(),
  })
  .refine((body) => (body.score === undefined) !== (body.thumbs === undefined), { message: "send either score (0–1) or thumbs (up/down)", path: ["score"] });

const interactionBody = z.strictObject({
  call_id: callIdField,
  item: z.number("item: the index of the chosen item in the returned list").int("item: a whole number").min(0, "item: 0 or more"),
});

async function issuedCall(runtime: FeedbackRuntime, principal: GatewayPrincipal, callId: string): Promise<IssuedCall> {
  const recent = runtime.callLog.recentCall(callId);
  if (recent && recent.workspaceId === principal.workspaceId) return recent;
  if (!recent) {
    const row = await runtime.db.call.findFirst({
      where: { id: callId, workspaceId: principal.workspaceId, source: "gateway" },
      select: { attribution: true },
    });
    if (row) return { workspaceId: principal.workspaceId, items: Array.isArray(row.attribution) ? row.attribution.length : null };
  }
  throw new GatewayError(404, `No call "${callId}" was answered for this workspace.`, { param: "call_id", code: "call_not_found" });
}

export async function postFeedback(runtime: FeedbackRuntime, principal: GatewayPrincipal, request: Request): Promise<Response> {
  const body = parseBody(feedbackBody, await readGatewayJson(request));
  await issuedCall(runtime, principal, body.call_id);
  const id = randomUUID();
  const score = body.score ?? (body.thumbs === "up" ? 1 : 0);
  runtime.callLog.pushFeedback({ id, workspaceId: principal.workspaceId, callId: body.call_id, score, comment: body.comment ?? "", createdAt: new Date() });
  return jsonResponse(200, { id, object: "feedback", call_id: body.call_id, score });
}

export async function postInteraction(runtime: FeedbackRuntime, principal: GatewayPrincipal, request: Request): Promise<Response> {
  const body = parseBody(interactionBody, await readGatewayJson(request));
  const call = await issuedCall(runtime, principal, body.call_id);
  if (call.items === null) {
    throw badRequest("call_id", `Call "${body.call_id}" was not an interleaved answer: interactions are for interleaved releases.`);
  }
  if (body.item >= call.items) throw badRequest("item", `item: the answer had ${call.items} items (0 to ${call.items - 1}).`);
  const id = randomUUID();
  runtime.callLog.pushInteraction({ id, workspaceId: principal.workspaceId, callId: body.call_id, item: body.item, createdAt: new Date() });
  return jsonResponse(200, { id, object: "interaction", call_id: body.call_id, item: body.item });
}
