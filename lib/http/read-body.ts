import type { z } from "zod";
import { AppError } from "../errors.ts";
import { configuredLimits } from "../configured-limits.ts";
import { formatByteLimit } from "../format.ts";

// Request bodies are read with a byte budget: a declared Content-Length over it is refused before a byte is read,
// and a body without one (chunked) is counted as it streams and abandoned at the limit, so no request can make the
// server buffer more than the limit.

export interface BodyLimit {
  /** bytes; default ASSAY_MAX_BODY */
  maxBytes?: number;
  /** names the limit in the message, e.g. "ASSAY_MAX_BODY" */
  setting?: string;
}

export function bodyTooLarge(maxBytes: number, setting = "ASSAY_MAX_BODY", what = "The request body"): AppError {
  return new AppError("payload_too_large", "input", `${what} is larger than ${formatByteLimit(maxBytes)} (${setting}).`, [
    { message: `at most ${formatByteLimit(maxBytes)}` },
  ]);
}

/** The declared length, when the request declares one that is a number. */
export function declaredLength(request: Request): number | null {
  const header = request.headers.get("content-length");
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header);
}

/** The body as text, refused with a 413 past the limit (checked on Content-Length first, then while streaming). */
export async function readText(request: Request, options: BodyLimit = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? configuredLimits.jsonBodyBytes;
  const tooLarge = () => bodyTooLarge(maxBytes, options.setting);
  const length = declaredLength(request);
  if (length !== null && length > maxBytes) {
    // Not read: cancelling tells the sender to stop instead of us draining a body we will refuse.
    // A failed cancel (the stream already closed or errored) changes nothing: the request is refused either way.
    await request.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // As above: the refusal stands whether or not the cancel reaches the sender.
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** A JSON body, or a 400 when it is not JSON (and a 413 when it is too large). */
export async function readJsonValue(request: Request, options: BodyLimit = {}): Promise<unknown> {
  const text = await readText(request, options);
  try {
    return JSON.parse(text);
  } catch {
    // The parser's own message says little a user can act on (a position in a string they did not write).
    throw new AppError("bad_request", "input", "The request body is not valid JSON.");
  }
}

/** Reads a JSON body and validates it; a malformed body is a 400 that names the problem. */
export async function readJson<Schema extends z.ZodType>(
  request: Request,
  schema: Schema,
  options: BodyLimit = {},
): Promise<z.infer<Schema>> {
  return schema.parse(await readJsonValue(request, options));
}
