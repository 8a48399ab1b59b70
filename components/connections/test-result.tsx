import type { TestOutcome } from "./types";

export function TestResult({ outcome }: { outcome: TestOutcome }) {
  if (outcome.ok) {
    return (
      <p className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="test-result">
        Connected in {Math.round(outcome.latencyMs)} ms — {outcome.models.length} model{outcome.models.length === 1 ? "" : "s"} available
        {outcome.models.length > 0 && <span className="text-emerald-700">: {outcome.models.slice(0, 6).join(", ")}{outcome.models.length > 6 ? "…" : ""}</span>}
      </p>
    );
  }
  return (
    <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="test-result">
      <span className="font-medium">{outcome.status ? `${outcome.status} · ` : ""}{outcome.kind.replace("_", " ")}:</span> {outcome.message}
    </p>
  );
}
