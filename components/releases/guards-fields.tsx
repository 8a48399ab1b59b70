"use client";
import type { FieldErrors } from "./field-errors";
import { FieldError } from "./field-error";

// Guards as people think of them: in percent (the API takes shares, 0.01 = 1 percentage point).

export interface GuardsDraft {
  alpha: string;
  minCalls: string;
  errorRate: { enabled: boolean; threshold: string };
  latency: { enabled: boolean; threshold: string };
  passRate: { enabled: boolean; threshold: string };
  feedback: { enabled: boolean; threshold: string };
}

export const DEFAULT_GUARDS: GuardsDraft = {
  alpha: "0.05",
  minCalls: "50",
  errorRate: { enabled: true, threshold: "1" },
  latency: { enabled: true, threshold: "20" },
  passRate: { enabled: true, threshold: "2" },
  feedback: { enabled: true, threshold: "5" },
};

const GUARDS = [
  { key: "errorRate", field: "maxIncrease", title: "Error rate", unit: "percentage points more errors than stable" },
  { key: "latency", field: "maxIncrease", title: "Latency (p95 shift)", unit: "% slower than stable's median (Hodges–Lehmann shift)" },
  { key: "passRate", field: "maxDecrease", title: "Online pass rate", unit: "percentage points fewer passing outputs" },
  { key: "feedback", field: "maxDecrease", title: "Feedback score", unit: "points (of 100) lower mean feedback" },
] as const;

const share = (text: string) => Number(text) / 100;

export function guardsInputOf(draft: GuardsDraft) {
  return {
    alpha: Number(draft.alpha),
    minCalls: Number(draft.minCalls),
    errorRate: { enabled: draft.errorRate.enabled, maxIncrease: share(draft.errorRate.threshold) },
    latency: { enabled: draft.latency.enabled, maxIncrease: share(draft.latency.threshold) },
    passRate: { enabled: draft.passRate.enabled, maxDecrease: share(draft.passRate.threshold) },
    feedback: { enabled: draft.feedback.enabled, maxDecrease: share(draft.feedback.threshold) },
  };
}

export function GuardsFields(props: { value: GuardsDraft; onChange: (value: GuardsDraft) => void; errors: FieldErrors }) {
  const { value } = props;
  return (
    <div className="space-y-3" data-testid="guards-fields">
      <div className="divide-y divide-slate-100 rounded-md border border-slate-200">
        {GUARDS.map((guard) => {
          const current = value[guard.key];
          return (
            <div key={guard.key} className="flex flex-wrap items-center gap-3 px-3 py-2">
              <label className="flex w-48 items-center gap-2 text-sm font-medium text-slate-800">
                <input
                  type="checkbox"
                  checked={current.enabled}
                  onChange={(event) => props.onChange({ ...value, [guard.key]: { ...current, enabled: event.target.checked } })}
                  data-testid={`guard-${guard.key}-enabled`}
                />
                {guard.title}
              </label>
              <span className="text-xs text-slate-500">tolerate</span>
              <input
                className="input w-20 py-1"
                inputMode="decimal"
                aria-label={`${guard.title} threshold`}
                value={current.threshold}
                disabled={!current.enabled}
                onChange={(event) => props.onChange({ ...value, [guard.key]: { ...current, threshold: event.target.value } })}
                data-testid={`guard-${guard.key}-threshold`}
              />
              <span className="text-xs text-slate-500">{guard.unit}</span>
              <div className="w-full">
                <FieldError errors={props.errors} paths={[`guards.${guard.key}`]} />
              </div>
            </div>
          );
        })}
      </div>
      <div className="flex flex-wrap gap-4">
        <div className="w-40">
          <label className="label" htmlFor="guards-alpha">False-rollback budget (alpha)</label>
          <input id="guards-alpha" className="input" inputMode="decimal" value={value.alpha} onChange={(event) => props.onChange({ ...value, alpha: event.target.value })} data-testid="guards-alpha" />
          <FieldError errors={props.errors} paths={["guards.alpha"]} />
        </div>
        <div className="w-40">
          <label className="label" htmlFor="guards-min-calls">Calls per arm before a breach</label>
          <input id="guards-min-calls" className="input" inputMode="numeric" value={value.minCalls} onChange={(event) => props.onChange({ ...value, minCalls: event.target.value })} data-testid="guards-min-calls" />
          <FieldError errors={props.errors} paths={["guards.minCalls"]} />
        </div>
        <p className="max-w-md self-end pb-1 text-xs text-slate-500">
          Guards are checked continuously with an always-valid sequential test, so looking often does not raise false alarms; the
          budget is shared by the enabled guards.
        </p>
      </div>
    </div>
  );
}
