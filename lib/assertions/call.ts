import type { AssertionOf } from "./schema.ts";
import { binary, type Check, type CheckContext } from "./types.ts";

// Assertions on the call rather than its text. A figure that was not measured (a cached answer's latency, a model
// with no price) fails the assertion either way: an unknown is not a pass.

function limit(
  measured: number | null | undefined,
  threshold: number,
  what: string,
  unit: (value: number) => string,
): Check {
  if (measured === null || measured === undefined) {
    const reason = `${what} was not measured for this call, so it cannot be compared with ${unit(threshold)}`;
    return { pass: false, score: 0, reason, negatedReason: reason, measured: null, unknown: true };
  }
  return {
    ...binary(
      measured <= threshold,
      `expected ${what} at most ${unit(threshold)}, it was ${unit(measured)}`,
      `expected ${what} above ${unit(threshold)}, it was ${unit(measured)}`,
    ),
    measured,
  };
}

const milliseconds = (value: number) => `${Math.round(value)} ms`;
const money = (value: number) => `$${value.toPrecision(3)}`;
const tokens = (value: number) => `${value} tokens`;

export function checkLatency(assertion: AssertionOf<"latency">, { context }: CheckContext): Check {
  return limit(context.latencyMs, assertion.threshold, "latency", milliseconds);
}

export function checkCost(assertion: AssertionOf<"cost">, { context }: CheckContext): Check {
  return limit(context.cost, assertion.threshold, "cost", money);
}

export function checkOutputTokens(assertion: AssertionOf<"output-tokens">, { context }: CheckContext): Check {
  return limit(context.outputTokens, assertion.threshold, "output tokens", tokens);
}

export function checkFinishReason(assertion: AssertionOf<"finish-reason">, { context, fill }: CheckContext): Check {
  const wanted = fill(assertion.value);
  const actual = context.finishReason;
  if (actual === null || actual === undefined) {
    const reason = `the call reported no finish reason, so it cannot be compared with "${wanted}"`;
    return { pass: false, score: 0, reason, negatedReason: reason, unknown: true };
  }
  return binary(
    actual.toLowerCase() === wanted.toLowerCase(),
    `expected finish reason "${wanted}", it was "${actual}"`,
    `expected a finish reason other than "${wanted}"`,
  );
}
