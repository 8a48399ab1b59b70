import { AppError } from "../../lib/errors.ts";

/** The AppError a promise rejects with; any other outcome (success, another error) fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

/** Runs `action`, which must throw an AppError with this code and a message matching `message`. */
export function expectAppError(action: () => unknown, code: AppError["code"], message: RegExp): AppError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof AppError)) throw new Error(`expected an AppError, got ${thrown instanceof Error ? thrown.message : String(thrown)}`);
  if (thrown.code !== code || !message.test(thrown.message)) {
    throw new Error(`expected AppError ${code} matching ${message}, got ${thrown.code}: ${thrown.message}`);
  }
  return thrown;
}
