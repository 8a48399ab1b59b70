import { AppError } from "../errors.ts";

// Statistics on silently corrupted input (NaN from a failed parse, a negative count) would print a confident
// wrong number, so every public function checks its input and names the offending field.

export function checkSample(values: readonly number[], name: string): void {
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new AppError("bad_request", "statistics", `${name} must contain only finite numbers`, [
        { path: `${name}[${index}]`, message: `not a finite number: ${String(value)}` },
      ]);
    }
  }
}

export function checkCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new AppError("bad_request", "statistics", `${name} must be a non-negative integer`, [
      { path: name, message: `got ${String(value)}` },
    ]);
  }
}

export function checkProbability(value: number, name: string, { open = false } = {}): void {
  const inside = open ? value > 0 && value < 1 : value >= 0 && value <= 1;
  if (typeof value !== "number" || !inside) {
    throw new AppError("bad_request", "statistics", `${name} must be in ${open ? "(0, 1)" : "[0, 1]"}`, [
      { path: name, message: `got ${String(value)}` },
    ]);
  }
}

export function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new AppError("bad_request", "statistics", `${name} must be a positive integer`, [
      { path: name, message: `got ${String(value)}` },
    ]);
  }
}
