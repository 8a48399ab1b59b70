// Every gateway error is answered in OpenAI's shape, so the openai SDK raises its usual typed errors
// (AuthenticationError, NotFoundError, BadRequestError, …) with our message: { error: { message, type, param, code } }.

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  /** extra response headers (Retry-After of an upstream 429) */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    options: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "GatewayError";
    this.status = status;
    this.type = options.type ?? typeFor(status);
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
  }

  body(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function typeFor(status: number): string {
  if (status === 401) return "invalid_request_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export function invalidApiKey(message: string): GatewayError {
  return new GatewayError(401, message, { code: "invalid_api_key" });
}

export function badRequest(param: string | null, message: string, code: string | null = null): GatewayError {
  return new GatewayError(400, message, { param, code });
}

export function modelNotFound(message: string): GatewayError {
  return new GatewayError(404, message, { param: "model", code: "model_not_found" });
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(error: GatewayError, headers: Record<string, string> = {}): Response {
  return jsonResponse(error.status, error.body(), { ...headers, ...error.headers });
}
