// Times the statistics the compare screen computes on large runs: `npx tsx scripts/bench-stats.ts`.
// Each figure is the median of several runs after one warm-up run, against a 1,000 ms target.
import {
  createRng,
  hodgesLehmannShift,
  mannWhitneyU,
  pairedBootstrapMeanDiff,
  percentileDifferenceInterval,
  percentileInterval,
} from "../lib/stats/index.ts";

const TARGET_MS = 1_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function lognormalSample(size: number, location: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: size }, () => Math.exp(location + 0.5 * rng.nextNormal()));
}

function medianTime(task: () => unknown): number {
  task();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    task();
    times.push(performance.now() - start);
  }
  times.sort((left, right) => left - right);
  return times[Math.floor(times.length / 2)] as number;
}

const latenciesA = lognormalSample(5_000, 6, 1);
const latenciesB = lognormalSample(5_000, 6.05, 2);
const scoresA = lognormalSample(5_000, 0, 3);
const scoresB = lognormalSample(5_000, 0.02, 4);

const cases: Array<{ name: string; task: () => unknown }> = [
  { name: "pairedBootstrapMeanDiff 5,000 pairs × 10,000 resamples", task: () => pairedBootstrapMeanDiff(scoresA, scoresB) },
  { name: "percentileInterval p50, 5,000 values × 10,000 resamples", task: () => percentileInterval(latenciesA, 0.5) },
  { name: "percentileInterval p95, 5,000 values × 10,000 resamples", task: () => percentileInterval(latenciesA, 0.95) },
  { name: "percentileDifferenceInterval p95, 2 × 5,000 × 10,000", task: () => percentileDifferenceInterval(latenciesA, latenciesB, 0.95) },
  { name: "hodgesLehmannShift 5,000 × 5,000 (25M differences)", task: () => hodgesLehmannShift(latenciesA, latenciesB) },
  { name: "mannWhitneyU 5,000 vs 5,000", task: () => mannWhitneyU(latenciesA, latenciesB) },
];

const rows = cases.map(({ name, task }) => {
  const measured = medianTime(task);
  return { name, measured, ratio: measured / TARGET_MS };
});

const nameWidth = Math.max(...rows.map((row) => row.name.length), "benchmark".length);
const line = (name: string, measured: string, target: string, ratio: string) =>
  `${name.padEnd(nameWidth)}  ${measured.padStart(12)}  ${target.padStart(10)}  ${ratio.padStart(8)}`;
console.log(`Node ${process.version}, median of ${RUNS} runs after a warm-up`);
console.log(line("benchmark", "measured ms", "target ms", "ratio"));
for (const row of rows) {
  console.log(line(row.name, row.measured.toFixed(1), String(TARGET_MS), row.ratio.toFixed(3)));
}
const slowest = rows.reduce((worst, row) => (row.ratio > worst.ratio ? row : worst));
console.log(slowest.ratio <= 1 ? "all within target" : `over target: ${slowest.name}`);
process.exitCode = slowest.ratio <= 1 ? 0 : 1;
