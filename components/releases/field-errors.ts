import { ApiError } from "@/lib/ui/api";

// A 400 from POST /api/releases names its field: zod issues carry a dotted path ("rings.0.name",
// "guards.latency.maxIncrease"), the service's own checks an AppError subject ("steps", "candidate"). The form shows
// each message next to the field it names.

export type FieldErrors = Map<string, string[]>;

export function fieldErrorsOf(error: unknown): FieldErrors {
  const errors: FieldErrors = new Map();
  if (!(error instanceof ApiError) || error.status !== 400) return errors;
  const add = (path: string, message: string) => errors.set(path, [...(errors.get(path) ?? []), message]);
  for (const detail of error.details) if (detail.path) add(detail.path, detail.message);
  if (errors.size === 0 && error.subject && error.subject !== "input") add(error.subject, error.message);
  return errors;
}

/** Messages for `path` and everything under it ("guards" also shows "guards.alpha"). */
export function errorsAt(errors: FieldErrors, ...paths: string[]): string[] {
  const found: string[] = [];
  for (const [key, messages] of errors) {
    if (paths.some((path) => key === path || key.startsWith(`${path}.`))) found.push(...messages);
  }
  return found;
}
