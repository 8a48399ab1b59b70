import { AppError } from "../errors.ts";
import { configuredLimits } from "../configured-limits.ts";
import { bodyTooLarge, readText } from "../http/read-body.ts";
import type { z } from "zod";
import { badRequest, GatewayError } from "./errors.ts";

// Gateway routes are outside proxy.ts (Bearer keys, no cookies: no CSRF rule applies), so they check the body's type
// and size here, and every problem is answered in OpenAI's error shape naming the field.

/**
 * A body the server already read (`assay serve-web` reads it off Node's request with the same byte budget instead of
 * building a WHATWG Request and its stream): the text, or null when it was over the budget.
 */
export const PRELOADED_BODY = Symbol.for("assay.gateway.preloadedBody");

export function payloadTooLarge(maxBytes: number): GatewayError {
  return new GatewayError(413, bodyTooLarge(maxBytes).message, { code: "payload_too_large" });
}

export async function readGatewayJson(request: Request, maxBytes: number = configuredLimits.jsonBodyBytes): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type.trim())) {
    throw new GatewayError(415, `Send the body as JSON (Content-Type: application/json), not ${type ? `"${type}"` : "without a Content-Type"}.`, {
      code: "unsupported_media_type",
    });
  }
  let text: string;
  const preloaded = (request as { [PRELOADED_BODY]?: string | null })[PRELOADED_BODY];
  if (preloaded === null) throw payloadTooLarge(maxBytes);
  if (preloaded !== undefined) text = preloaded;
  else try {
    text = await readText(request, { maxBytes });
  } catch (error) {
    if (error instanceof AppError && error.code === "payload_too_large") {
      throw new GatewayError(413, error.message, { code: "payload_too_large" });
    }
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(null, "The request body is not valid JSON.", "invalid_json");
  }
}

/** A zod failure as a 400 naming the first field (param), as OpenAI does. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? issue.path.map(String).join(".") : "";
  // Messages that already name their field ("score: at most 1") are not prefixed twice.
  const message = issue ? (path && !issue.message.startsWith(`${path}:`) ? `${path}: ${issue.message}` : issue.message) : "Invalid request body";
  throw badRequest(path || null, message);
}
