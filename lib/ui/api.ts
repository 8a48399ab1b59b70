import { WORKSPACE_HEADER, workspaceSlugOf } from "../workspaces/paths.ts";

// The browser's way to call our API: JSON in, JSON out, and errors carrying the server's own message and details.

export interface ApiErrorDetail {
  path?: string;
  line?: number;
  column?: number;
  row?: number;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorDetail[];
  /** what the error is about (AppError's subject: often the field, "steps", "candidate"), when the server said */
  readonly subject: string | null;
  constructor(status: number, code: string, message: string, details: ApiErrorDetail[], subject: string | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.subject = subject;
  }
}

/** The header naming the workspace of the page making the call (/w/<slug>/…), for every fetch to our API. */
export function workspaceHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const slug = typeof window === "undefined" ? null : workspaceSlugOf(window.location.pathname);
  return slug ? { ...extra, [WORKSPACE_HEADER]: slug } : extra;
}

/** Where the screens' JSON comes from: the member API, or a share link's token-scoped copy (/api/s/<token>). */
export const MEMBER_API = "/api";

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: workspaceHeaders(init.body === undefined ? {} : { "content-type": "application/json" }),
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, "invalid_response", `The server answered ${response.status} with non-JSON content.`, []);
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; subject?: string; message?: string; details?: ApiErrorDetail[] } })?.error;
    throw new ApiError(response.status, error?.code ?? "error", error?.message ?? `Request failed (${response.status})`, error?.details ?? [], error?.subject ?? null);
  }
  return data as T;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError && error.details.length > 1) {
    return [error.message, ...error.details.slice(1).map((detail) => (detail.path ? `${detail.path}: ${detail.message}` : detail.message))].join("\n");
  }
  return error instanceof Error ? error.message : String(error);
}
