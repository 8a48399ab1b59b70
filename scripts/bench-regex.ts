// npm run bench:regex — issue #9: a user regex cannot stall the server. The `regex` assertion `^(a+)+$` against
// 100,000 "a"s and a "b" (catastrophic backtracking on V8's engine: 28 "a"s already took 37 s on this machine) runs
// on RE2; the budget is "well under a second". While it runs, the event loop's worst delay says how long a
// concurrent request (such as /api/health) would have waited.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { evaluateAssertions } from "../lib/assertions/evaluate.ts";
import { formatDuration } from "../lib/format.ts";

const BUDGET_MS = 1000;
const output = `${"a".repeat(100_000)}b`;
const assertion = { type: "regex", value: "^(a+)+$" } as const;

const times: number[] = [];
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
for (let round = 0; round < 7; round++) {
  const started = performance.now();
  const evaluation = await evaluateAssertions([assertion], { output, variables: {} });
  times.push(performance.now() - started);
  if (evaluation.pass) throw new Error("^(a+)+$ matched a string ending in b: the engine is wrong");
  // let timers run between rounds, as a server's other requests would
  await new Promise((resolve) => setTimeout(resolve, 20));
}
loop.disable();
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] as number;
const worstDelay = loop.max / 1e6;
console.log("figure                                   measured   budget   ratio");
console.log(`regex ^(a+)+$ on 100,001 chars (median)  ${formatDuration(median).padStart(8)}  ${formatDuration(BUDGET_MS).padStart(7)}  ${(median / BUDGET_MS).toFixed(3)}`);
console.log(`worst event-loop delay meanwhile         ${formatDuration(worstDelay).padStart(8)}  ${formatDuration(BUDGET_MS).padStart(7)}  ${(worstDelay / BUDGET_MS).toFixed(3)}`);
