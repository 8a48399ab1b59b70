import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { queueFull } from "./api-errors.ts";

// The sequences of one context are the slots requests run in; node-llama-cpp batches the active ones together.
// A request waits for a free slot in a bounded FIFO queue; past the bound it is refused (429) instead of waiting
// without limit. A waiter whose client left is dropped from the queue, and a finished request hands its slot to the
// next waiter at once.

interface Waiter {
  promptTokens: readonly Token[] | undefined;
  resolve: (sequence: LlamaContextSequence) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

export class SequenceSlots {
  private readonly free: LlamaContextSequence[];
  private readonly waiters: Waiter[] = [];
  private activeCount = 0;

  constructor(
    sequences: LlamaContextSequence[],
    private readonly modelId: string,
    private readonly maxQueue: number,
    private readonly onIdle: () => void,
  ) {
    this.free = [...sequences];
  }

  get active(): number {
    return this.activeCount;
  }

  get queued(): number {
    return this.waiters.length;
  }

  get busy(): boolean {
    return this.activeCount > 0 || this.waiters.length > 0;
  }

  /** A free sequence, preferring the one whose cached tokens share the longest prefix with the prompt. */
  acquire(signal: AbortSignal, promptTokens?: readonly Token[]): Promise<LlamaContextSequence> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.free.length > 0) {
      this.activeCount++;
      return Promise.resolve(this.takeBest(promptTokens));
    }
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(queueFull(this.modelId, this.waiters.length, 1));
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal.reason);
        if (!this.busy) this.onIdle();
      };
      const waiter: Waiter = {
        promptTokens,
        resolve,
        reject,
        cleanup: () => signal.removeEventListener("abort", onAbort),
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(sequence: LlamaContextSequence): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.cleanup();
      this.free.push(sequence);
      waiter.resolve(this.takeBest(waiter.promptTokens));
      return;
    }
    this.activeCount--;
    this.free.push(sequence);
    if (!this.busy) this.onIdle();
  }

  /** Refuses everyone still waiting (the model is being unloaded). */
  rejectWaiters(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(error);
    }
  }

  private takeBest(promptTokens: readonly Token[] | undefined): LlamaContextSequence {
    let bestIndex = 0;
    if (promptTokens && this.free.length > 1) {
      let bestLength = -1;
      this.free.forEach((sequence, index) => {
        const { firstDifferentIndex } = sequence.compareContextTokens([...promptTokens]);
        if (firstDifferentIndex > bestLength) {
          bestLength = firstDifferentIndex;
          bestIndex = index;
        }
      });
    }
    return this.free.splice(bestIndex, 1)[0]!;
  }
}
