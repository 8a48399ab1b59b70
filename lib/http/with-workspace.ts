import { AppError, errorBody, httpStatusOf } from "../errors.ts";
import { requireApiMember, type Member } from "../auth/session.ts";
import { assertCan, type Action } from "../auth/permissions.ts";

// Every API route but /api/health, /api/auth and /api/setup goes through this wrapper: one place for access checks,
// input parsing and error mapping. Handlers return a Response or a JSON-serializable value.

export interface RouteContext<Params> {
  request: Request;
  member: Member;
  params: Params;
}

type Handler<Params> = (context: RouteContext<Params>) => Promise<unknown>;

export function errorResponse(error: unknown): Response {
  const status = httpStatusOf(error);
  if (status >= 500) console.error("[api]", error instanceof Error ? (error.stack ?? error.message) : error);
  return Response.json(errorBody(error), { status });
}

export function toResponse(value: unknown): Response {
  if (value instanceof Response) return value;
  if (value === undefined) return new Response(null, { status: 204 });
  // BigInt (GGUF sizes, parameter counts) becomes a number: JSON cannot hold it natively.
  const body = JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? Number(item) : item));
  return new Response(body, { headers: { "content-type": "application/json", "cache-control": "no-store" } });
}

/**
 * `action` is required: every route names its rule in lib/auth/permissions.ts (no guessing from the HTTP method), so
 * a new route cannot be added without deciding who may call it. Handlers that need a finer rule (a protected label)
 * call assertCan themselves on top.
 */
export function withWorkspace<Params = Record<string, string>>(handler: Handler<Params>, options: { action: Action }) {
  return async (request: Request, context: { params: Promise<Params> }): Promise<Response> => {
    try {
      const member = await requireApiMember(request.headers);
      assertCan(member, options.action);
      const params = (await context.params) ?? ({} as Params);
      return toResponse(await handler({ request, member, params }));
    } catch (error) {
      return errorResponse(error);
    }
  };
}

// readJson lives in read-body.ts (the byte limit on request bodies); re-exported so routes keep importing it here.
export { readJson } from "./read-body.ts";
