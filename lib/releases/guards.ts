import { formatDuration, formatNumber, formatPercent } from "../format.ts";
import type { Guards } from "./schema.ts";
import { latencyHarm, meanDecrease, proportionHarm, type SequentialEvidence } from "./sequential.ts";
import type { GuardName, GuardStatus } from "./types.ts";

// The release guards (docs/guards.md): each enabled guard compares one candidate arm with stable by an always-valid
// one-sided test (lib/releases/sequential.ts). The release's alpha is split evenly (Bonferroni) over the enabled
// guards and the candidate arms, so the chance that a release whose candidates are no worse than tolerated is
// rolled back by any guard, at any of its looks, stays at most alpha.

export const GUARD_NAMES: readonly GuardName[] = ["errorRate", "latency", "passRate", "feedback"];

/** What the guards need of one arm: counts and, for latency, the sample of successful calls' latencies. */
export interface GuardArmSample {
  calls: number;
  errors: number;
  scored: number;
  passed: number;
  feedback: { count: number; mean: number; variance: number } | null;
  latencies: readonly number[];
  /** `latencies` are in ascending order */
  latenciesSorted?: boolean;
}

export function enabledGuards(guards: Guards): GuardName[] {
  return GUARD_NAMES.filter((name) => guards[name].enabled);
}

/** One guard's share of the release's alpha: alpha / (enabled guards × candidate arms). */
export function guardAlpha(guards: Guards, candidateArms: number): number {
  const enabled = enabledGuards(guards).length;
  return enabled === 0 ? guards.alpha : guards.alpha / (enabled * Math.max(1, candidateArms));
}

const points = (share: number) => formatNumber(share * 100, 1, { signed: true }) + " points";

export interface EvaluateOptions {
  /** candidate arms in the release (Bonferroni over arms too); 1 by default */
  candidateArms?: number;
  /** compute the latency shift and its interval even when the evidence has not crossed (figures: yes; simulations: no) */
  withShift?: boolean;
}

export function evaluateGuards(guards: Guards, arm: string, candidate: GuardArmSample, stable: GuardArmSample, options: EvaluateOptions = {}): GuardStatus[] {
  const candidateArms = options.candidateArms ?? 1;
  const alpha = guardAlpha(guards, candidateArms);
  const bound = Math.log(1 / alpha);
  const base = (name: GuardName, threshold: number): GuardStatus => ({
    name, arm, enabled: guards[name].enabled, status: "waiting", estimate: null, interval: { value: null, low: null, high: null },
    threshold, evidence: 0, bound, alpha, message: "",
  });
  const min = guards.minCalls;
  const waitingFor = (what: string, have: number) => `Waiting: ${have} of ${min} ${what} per arm before this guard may act.`;
  const decide = (status: GuardStatus, evidence: SequentialEvidence, breach: boolean, describe: string): GuardStatus => {
    status.evidence = finite(evidence.logLikelihoodRatio);
    status.status = breach ? "breach" : "pass";
    status.message = breach
      ? `Breach: ${describe}; evidence ${formatNumber(status.evidence, 2)} reached the bound ${formatNumber(bound, 2)} (α ${formatNumber(alpha, 4)}).`
      : `Pass: ${describe}; evidence ${formatNumber(status.evidence, 2)} below the bound ${formatNumber(bound, 2)}.`;
    return status;
  };
  const statuses: GuardStatus[] = [];

  // Error rate: harm = candidate's rate − stable's, tolerated up to maxIncrease.
  {
    const config = guards.errorRate;
    const status = base("errorRate", config.maxIncrease);
    if (!config.enabled) statuses.push({ ...status, message: "Off." });
    else if (Math.min(candidate.calls, stable.calls) < min) statuses.push({ ...status, message: waitingFor("calls", Math.min(candidate.calls, stable.calls)) });
    else {
      const evidence = proportionHarm({ events: candidate.errors, trials: candidate.calls }, { events: stable.errors, trials: stable.calls }, config.maxIncrease, alpha);
      status.estimate = evidence.estimate;
      status.interval = { value: evidence.estimate, low: evidence.low, high: evidence.high };
      const describe = `errors ${formatPercent(candidate.errors / candidate.calls)} vs stable ${formatPercent(stable.errors / stable.calls)} (${points(evidence.estimate)}, tolerated ${points(config.maxIncrease)})`;
      statuses.push(decide(status, evidence, evidence.crossed, describe));
    }
  }

  // Latency: Mann–Whitney evidence that the candidate is more than maxIncrease slower, sized by the HL shift.
  {
    const config = guards.latency;
    const status = base("latency", 0);
    const have = Math.min(candidate.latencies.length, stable.latencies.length);
    if (!config.enabled) statuses.push({ ...status, message: "Off." });
    else if (have < min) statuses.push({ ...status, message: waitingFor("successful calls with a latency", have) });
    else {
      const evidence = latencyHarm(candidate.latencies, stable.latencies, config.maxIncrease, alpha, {
        withShift: options.withShift ?? true,
        sorted: Boolean(candidate.latenciesSorted && stable.latenciesSorted),
      });
      status.threshold = evidence.toleratedShift;
      status.estimate = finiteOrNull(evidence.shift);
      status.interval = { value: finiteOrNull(evidence.shift), low: finiteOrNull(evidence.shiftLow), high: finiteOrNull(evidence.shiftHigh) };
      const describe = `Hodges–Lehmann shift ${formatDuration(evidence.shift, { signed: true })} (tolerated ${formatDuration(evidence.toleratedShift, { signed: true })}, ${formatPercent(config.maxIncrease, 0)} of stable's median)`;
      statuses.push(decide(status, evidence, evidence.breach, describe));
    }
  }

  // Online pass rate: harm = stable's pass rate − candidate's, tolerated up to maxDecrease.
  {
    const config = guards.passRate;
    const status = base("passRate", -config.maxDecrease);
    const have = Math.min(candidate.scored, stable.scored);
    if (!config.enabled) statuses.push({ ...status, message: "Off." });
    else if (have < min) statuses.push({ ...status, message: have === 0 && candidate.scored + stable.scored === 0 ? "Waiting: no scored calls (online scoring is off or nothing is scored yet)." : waitingFor("scored calls", have) });
    else {
      const evidence = proportionHarm({ events: stable.passed, trials: stable.scored }, { events: candidate.passed, trials: candidate.scored }, config.maxDecrease, alpha, undefined);
      status.estimate = -evidence.estimate;
      status.interval = { value: -evidence.estimate, low: -evidence.high, high: -evidence.low };
      const describe = `pass rate ${formatPercent(candidate.passed / candidate.scored)} vs stable ${formatPercent(stable.passed / stable.scored)} (${points(-evidence.estimate)}, tolerated ${points(-config.maxDecrease)})`;
      statuses.push(decide(status, evidence, evidence.crossed, describe));
    }
  }

  // Feedback: harm = stable's mean score − candidate's, tolerated up to maxDecrease.
  {
    const config = guards.feedback;
    const status = base("feedback", -config.maxDecrease);
    const have = Math.min(candidate.feedback?.count ?? 0, stable.feedback?.count ?? 0);
    if (!config.enabled) statuses.push({ ...status, message: "Off." });
    else if (have < min || !candidate.feedback || !stable.feedback) statuses.push({ ...status, message: waitingFor("feedback scores", have) });
    else {
      const evidence = meanDecrease(candidate.feedback, stable.feedback, config.maxDecrease, alpha);
      status.estimate = -evidence.estimate;
      status.interval = { value: -evidence.estimate, low: -evidence.high, high: -evidence.low };
      const describe = `feedback ${formatNumber(candidate.feedback.mean, 3)} vs stable ${formatNumber(stable.feedback.mean, 3)} (${formatNumber(-evidence.estimate, 3, { signed: true })}, tolerated ${formatNumber(-config.maxDecrease, 3, { signed: true })})`;
      statuses.push(decide(status, evidence, evidence.crossed, describe));
    }
  }
  return statuses;
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
