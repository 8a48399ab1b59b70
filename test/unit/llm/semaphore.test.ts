import { describe, expect, it } from "vitest";
import { Semaphore } from "../../../lib/llm/semaphore.ts";

describe("Semaphore", () => {
  it("admits at most its limit, in arrival order", async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    await semaphore.acquire();
    await semaphore.acquire();
    const third = semaphore.acquire().then(() => order.push(3));
    const fourth = semaphore.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(semaphore.waiting).toBe(2);
    semaphore.release();
    await third;
    expect(order).toEqual([3]);
    semaphore.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(semaphore.inUse).toBe(2);
  });

  it("drops a waiter whose signal aborts, without taking a slot", async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow("cancelled");
    expect(semaphore.waiting).toBe(0);
    semaphore.release();
    expect(semaphore.inUse).toBe(0);
  });

  it("applies a new limit", async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const second = semaphore.acquire();
    semaphore.resize(2);
    await second;
    expect(semaphore.inUse).toBe(2);
  });
});
