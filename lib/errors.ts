import { ZodError } from "zod";

// One error type with codes, mapped to HTTP status in one place (httpStatusOf).
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  /** a stored API key cannot be decrypted (master key changed, payload altered or moved): the user re-enters it */
  | "key_unreadable"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limit"
  | "provider"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  key_unreadable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limit: 429,
  provider: 502,
  unavailable: 503,
  internal: 500,
};

export interface ErrorDetail {
  /** which field, line or row */
  path?: string;
  line?: number;
  column?: number;
  row?: number;
  message: string;
  /** a refused protected-label move (409): the label, the approvals it needs, has, and lacks */
  label?: string;
  required?: number;
  have?: number;
  missing?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly subject: string;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, subject: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.subject = subject;
    this.details = details;
  }
}

export function httpStatusOf(error: unknown): number {
  if (error instanceof AppError) return STATUS[error.code];
  if (error instanceof ZodError) return 400;
  return 500;
}

export interface ErrorBody {
  error: { code: ErrorCode; subject: string; message: string; details: ErrorDetail[] };
}

export function errorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) {
    return { error: { code: error.code, subject: error.subject, message: error.message, details: error.details } };
  }
  if (error instanceof ZodError) {
    const details = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
    const first = details[0];
    const message = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : "Invalid input";
    return { error: { code: "bad_request", subject: "input", message, details } };
  }
  const message = messageOf(error);
  return { error: { code: "internal", subject: "server", message, details: [] } };
}

/** Prisma's unique-constraint violation, turned into a conflict the user can act on. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

/** The value, or null when it does not exist (AppError not_found); every other error propagates. */
export async function unlessNotFound<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  }
}

/** What an unknown thrown value says, for logs and stored error messages. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
