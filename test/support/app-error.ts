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
