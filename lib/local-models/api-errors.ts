import { ZodError } from "zod";
import { AppError, httpStatusOf, type ErrorCode } from "../errors.ts";

// Errors in OpenAI's shape, `{ error: { message, type, param, code } }`, so the openai SDK raises the same error
// classes (NotFoundError, BadRequestError, RateLimitError, ...) against this server as against a hosted API.

export class OpenAiApiError extends AppError {
  /** OpenAI's machine-readable code, e.g. model_not_found, context_length_exceeded */
  readonly openAiCode: string | null;
  readonly param: string | null;
  /** sent as Retry-After (seconds) on 429 and 503 */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { openAiCode?: string; param?: string; retryAfterSeconds?: number } = {},
  ) {
    super(code, "local-model", message, options.param ? [{ path: options.param, message }] : []);
    this.openAiCode = options.openAiCode ?? null;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function modelNotFound(model: string): OpenAiApiError {
  return new OpenAiApiError("not_found", `The model '${model}' does not exist`, {
    openAiCode: "model_not_found",
    param: "model",
  });
}

export function invalidRequest(message: string, param?: string, openAiCode = "invalid_request"): OpenAiApiError {
  return new OpenAiApiError("bad_request", message, { openAiCode, ...(param ? { param } : {}) });
}

export function contextLengthExceeded(promptTokens: number, contextSize: number, param: string): OpenAiApiError {
  return new OpenAiApiError(
    "bad_request",
    `This model's maximum context length is ${contextSize} tokens, but the prompt has ${promptTokens} tokens. Shorten the prompt.`,
    { openAiCode: "context_length_exceeded", param },
  );
}

export function modelLoading(model: string, retryAfterSeconds: number): OpenAiApiError {
  return new OpenAiApiError("unavailable", `The model '${model}' is still loading; retry in ${retryAfterSeconds} s`, {
    openAiCode: "model_loading",
    retryAfterSeconds,
  });
}

export function queueFull(model: string, queued: number, retryAfterSeconds: number): OpenAiApiError {
  return new OpenAiApiError("rate_limit", `Too many requests for '${model}': ${queued} are already waiting`, {
    openAiCode: "rate_limit_exceeded",
    retryAfterSeconds,
  });
}

/** zod paths as OpenAI writes params: messages[0].content */
export function formatParam(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, "");
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  404: "invalid_request_error",
  429: "rate_limit_error",
  503: "server_error",
  500: "server_error",
};

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

type Issue = ZodError["issues"][number];

/**
 * For a union ("a string or a list of one string"), zod says only "Invalid input"; the branch that got furthest
 * (not a plain type mismatch) says what is wrong.
 */
function specificIssue(issue: Issue): { path: PropertyKey[]; message: string } {
  if (issue.code === "invalid_union" && "errors" in issue && Array.isArray(issue.errors)) {
    const branch = (issue.errors as Issue[][]).find((issues) => issues.some((inner) => inner.code !== "invalid_type"));
    const inner = branch?.find((candidate) => candidate.code !== "invalid_type");
    if (inner) {
      const nested = specificIssue(inner);
      return { path: [...issue.path, ...nested.path], message: nested.message };
    }
  }
  return { path: [...issue.path], message: issue.message };
}

export function toOpenAiError(error: unknown): { status: number; body: OpenAiErrorBody; retryAfterSeconds?: number } {
  if (error instanceof ZodError) {
    const issue = error.issues[0] ? specificIssue(error.issues[0]) : undefined;
    const param = issue ? formatParam(issue.path) : null;
    const message = issue ? (param ? `Invalid '${param}': ${issue.message}` : issue.message) : "Invalid request";
    return { status: 400, body: { error: { message, type: "invalid_request_error", param, code: "invalid_request" } } };
  }
  const status = httpStatusOf(error);
  const type = TYPE_BY_STATUS[status] ?? (status >= 500 ? "server_error" : "invalid_request_error");
  if (error instanceof OpenAiApiError) {
    return {
      status,
      body: { error: { message: error.message, type, param: error.param, code: error.openAiCode } },
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  if (error instanceof AppError) {
    const param = error.details[0]?.path ?? null;
    return { status, body: { error: { message: error.message, type, param, code: error.code } } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { message, type: "server_error", param: null, code: "internal_error" } } };
}
