import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { OpenAiApiError, toOpenAiError } from "../../../lib/local-models/api-errors.ts";
import { SequenceSlots } from "../../../lib/local-models/sequence-slots.ts";

/** A stand-in for a context sequence that remembers which tokens it holds. */
function fakeSequence(name: string, cached: number[] = []): LlamaContextSequence {
  return {
    name,
    compareContextTokens(tokens: Token[]) {
      let index = 0;
      while (index < cached.length && index < tokens.length && cached[index] === tokens[index]) index++;
      return { firstDifferentIndex: index };
    },
  } as unknown as LlamaContextSequence;
}

const nameOf = (sequence: LlamaContextSequence) => (sequence as unknown as { name: string }).name;

describe("SequenceSlots", () => {
  it("gives free slots at once and queues the rest in arrival order", async () => {
    const slots = new SequenceSlots([fakeSequence("a"), fakeSequence("b")], "m", 8, () => {});
    const first = await slots.acquire(new AbortController().signal);
    const second = await slots.acquire(new AbortController().signal);
    const order: string[] = [];
    const third = slots.acquire(new AbortController().signal).then((sequence) => order.push(`third:${nameOf(sequence)}`));
    const fourth = slots.acquire(new AbortController().signal).then((sequence) => order.push(`fourth:${nameOf(sequence)}`));
    expect([slots.active, slots.queued]).toEqual([2, 2]);
    slots.release(second);
    await third;
    slots.release(first);
    await fourth;
    expect(order).toEqual(["third:b", "fourth:a"]);
    expect([slots.active, slots.queued]).toEqual([2, 0]);
  });

  it("refuses past the queue bound with a 429 that says when to retry", async () => {
    const slots = new SequenceSlots([fakeSequence("a")], "tiny", 1, () => {});
    await slots.acquire(new AbortController().signal);
    void slots.acquire(new AbortController().signal);
    const refused = await slots.acquire(new AbortController().signal).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAiApiError);
    const { status, body, retryAfterSeconds } = toOpenAiError(refused);
    expect(status).toBe(429);
    expect(retryAfterSeconds).toBe(1);
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    expect(body.error.message).toContain("'tiny'");
  });

  it("drops a waiter whose client left, so the slot goes to the next one", async () => {
    const slots = new SequenceSlots([fakeSequence("a")], "m", 8, () => {});
    const held = await slots.acquire(new AbortController().signal);
    const leaving = new AbortController();
    const left = slots.acquire(leaving.signal).catch((error: unknown) => error);
    const staying = slots.acquire(new AbortController().signal);
    leaving.abort(new Error("client disconnected"));
    expect(await left).toEqual(new Error("client disconnected"));
    expect(slots.queued).toBe(1);
    slots.release(held);
    expect(nameOf(await staying)).toBe("a");
  });

  it("prefers the free slot that already holds the longest part of the prompt", async () => {
    const slots = new SequenceSlots([fakeSequence("empty"), fakeSequence("warm", [1, 5, 6, 7]), fakeSequence("cold", [1, 9])], "m", 8, () => {});
    expect(nameOf(await slots.acquire(new AbortController().signal, [1, 5, 6, 8] as Token[]))).toBe("warm");
  });

  it("reports idle once the last request is released", async () => {
    let idle = 0;
    const slots = new SequenceSlots([fakeSequence("a"), fakeSequence("b")], "m", 8, () => idle++);
    const first = await slots.acquire(new AbortController().signal);
    const second = await slots.acquire(new AbortController().signal);
    slots.release(first);
    expect([idle, slots.busy]).toEqual([0, true]);
    slots.release(second);
    expect([idle, slots.busy]).toEqual([1, false]);
  });

  it("refuses everyone waiting when the model is unloaded", async () => {
    const slots = new SequenceSlots([fakeSequence("a")], "m", 8, () => {});
    await slots.acquire(new AbortController().signal);
    const waiting = slots.acquire(new AbortController().signal).catch((error: unknown) => error);
    slots.rejectWaiters(new Error("unloading"));
    expect(await waiting).toEqual(new Error("unloading"));
    expect(slots.queued).toBe(0);
  });
});
