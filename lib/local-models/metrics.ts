import type { Timings } from "./generate.ts";

// Per-model aggregates for GET /metrics: what the Models page shows as each model's measured speed.

interface Totals {
  requests: number;
  completed: number;
  cancelled: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  tokensPerSecondSum: number;
  tokensPerSecondCount: number;
  timeToFirstTokenMsSum: number;
  timeToFirstTokenCount: number;
  predictedMs: number;
  predictedAfterFirst: number;
}

export interface ModelMetrics {
  requests: number;
  completed: number;
  cancelled: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  /** mean of each request's generation speed (tokens after the first, per second of generation) */
  meanTokensPerSecond: number | null;
  /** all generated tokens after the first over all generation time */
  overallTokensPerSecond: number | null;
  /** server side: queue wait + prompt processing + first token */
  meanTimeToFirstTokenMs: number | null;
}

function empty(): Totals {
  return {
    requests: 0, completed: 0, cancelled: 0, failed: 0, promptTokens: 0, completionTokens: 0,
    tokensPerSecondSum: 0, tokensPerSecondCount: 0, timeToFirstTokenMsSum: 0, timeToFirstTokenCount: 0,
    predictedMs: 0, predictedAfterFirst: 0,
  };
}

export class MetricsRecorder {
  private readonly totals = new Map<string, Totals>();

  private of(model: string): Totals {
    let totals = this.totals.get(model);
    if (!totals) {
      totals = empty();
      this.totals.set(model, totals);
    }
    return totals;
  }

  requestStarted(model: string): void {
    this.of(model).requests++;
  }

  requestFailed(model: string): void {
    this.of(model).failed++;
  }

  requestFinished(
    model: string,
    result: { promptTokens: number; completionTokens: number; cancelled: boolean; timings: Timings },
  ): void {
    const totals = this.of(model);
    if (result.cancelled) totals.cancelled++;
    else totals.completed++;
    totals.promptTokens += result.promptTokens;
    totals.completionTokens += result.completionTokens;
    const { timings } = result;
    if (timings.predicted_n > 0) {
      totals.timeToFirstTokenMsSum += timings.queue_ms + timings.prompt_ms;
      totals.timeToFirstTokenCount++;
    }
    if (timings.predicted_n > 1 && timings.predicted_ms > 0) {
      totals.tokensPerSecondSum += timings.predicted_per_second;
      totals.tokensPerSecondCount++;
      totals.predictedMs += timings.predicted_ms;
      totals.predictedAfterFirst += timings.predicted_n - 1;
    }
  }

  snapshot(): Record<string, ModelMetrics> {
    const result: Record<string, ModelMetrics> = {};
    for (const [model, totals] of this.totals) {
      result[model] = {
        requests: totals.requests,
        completed: totals.completed,
        cancelled: totals.cancelled,
        failed: totals.failed,
        promptTokens: totals.promptTokens,
        completionTokens: totals.completionTokens,
        meanTokensPerSecond: totals.tokensPerSecondCount ? totals.tokensPerSecondSum / totals.tokensPerSecondCount : null,
        overallTokensPerSecond: totals.predictedMs > 0 ? (totals.predictedAfterFirst * 1000) / totals.predictedMs : null,
        meanTimeToFirstTokenMs: totals.timeToFirstTokenCount ? totals.timeToFirstTokenMsSum / totals.timeToFirstTokenCount : null,
      };
    }
    return result;
  }
}
