"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { AblationCandidate } from "@/lib/compare/ablation";
import type { PruneReport } from "@/lib/prune/prune";
import type { PruningView } from "@/lib/prune/jobs";
import { formatCount, formatDuration, formatMoney, formatNumber, formatPercent, formatTokens } from "@/lib/format";
import { api, ApiError, errorText } from "@/lib/ui/api";
import type { AblationConnection, AblationSuite } from "@/components/compare/ablation-form";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// "Use as few examples as possible": pick a version, a suite and a model; examples are removed one at a time while
// the pass rate stays within the margin of the full prompt's, and the smallest set can be saved as a new version.

export function PruneForm(props: { candidates: AblationCandidate[]; suites: AblationSuite[]; connections: AblationConnection[]; initialVersionId: string | null; canSave: boolean }) {
  const inWorkspace = useWorkspacePath();
  const initial = props.candidates.find((candidate) => candidate.versionId === props.initialVersionId) ?? props.candidates[0];
  const [versionId, setVersionId] = useState(initial?.versionId ?? "");
  const [suiteId, setSuiteId] = useState(props.suites[0]?.id ?? "");
  const initialConnection = props.connections.find((connection) => connection.id === initial?.connectionId) ?? props.connections[0];
  const [connectionId, setConnectionId] = useState(initialConnection?.id ?? "");
  const [model, setModel] = useState(initial?.model ?? initialConnection?.models[0] ?? "");
  const [marginPoints, setMarginPoints] = useState(2);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<PruneReport | null>(null);
  const [pruning, setPruning] = useState<PruningView | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [saved, setSaved] = useState<{ promptId: string; number: number } | null>(null);
  const connection = props.connections.find((item) => item.id === connectionId);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setRunning(true);
    setError(null);
    setReport(null);
    setPruning(null);
    setSaved(null);
    try {
      setPruning(await api<PruningView>("/api/prunings", { body: { versionId, suiteId, connectionId, model, marginPoints } }));
    } catch (caught) {
      setError(caught instanceof ApiError ? errorText(caught) : String(caught));
      setRunning(false);
    }
  }

  // The pruning runs in the background: follow it until it ends, then show its report (or why it ended).
  const pruningId = pruning?.id ?? null;
  const pruningRunning = pruning?.state === "running";
  useEffect(() => {
    if (!pruningId || !pruningRunning) return;
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const next = await api<PruningView>(`/api/prunings/${pruningId}`);
        if (stopped) return;
        setPruning(next);
        if (next.state !== "running") {
          setRunning(false);
          setCancelling(false);
          if (next.report) setReport(next.report);
          if (next.state !== "completed") setError(next.state === "cancelled" ? "Pruning cancelled." : `The pruning failed: ${next.error ?? "no reason given"}`);
        }
      } catch (caught) {
        if (!stopped) setError(errorText(caught));
      }
    }, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [pruningId, pruningRunning]);

  async function cancel() {
    if (!pruning) return;
    setCancelling(true);
    try {
      setPruning(await api<PruningView>(`/api/prunings/${pruning.id}/cancel`, { body: {} }));
    } catch (caught) {
      setError(errorText(caught));
      setCancelling(false);
    }
  }

  async function saveDraft() {
    if (!report) return;
    setError(null);
    try {
      const version = await api<{ promptId: string; number: number }>("/api/prunings/draft", {
        body: { versionId: report.versionId, keepExamples: report.keepExamples, keepCounterexamples: report.keepCounterexamples },
      });
      setSaved(version);
    } catch (caught) {
      setError(caught instanceof ApiError ? errorText(caught) : String(caught));
    }
  }

  if (props.candidates.length === 0) {
    return (
      <div className="card mx-auto max-w-xl p-8 text-center" data-testid="prune-empty">
        <h2 className="text-base font-semibold">No prompt version with examples yet</h2>
        <p className="mt-1 text-sm text-slate-600">Add examples (and counterexamples) to a prompt in the prompt studio; this page then finds how few of them you need.</p>
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <form onSubmit={submit} className="card space-y-3 p-4" data-testid="prune-form">
        <label className="block">
          <span className="label">Prompt version</span>
          <select className="input" value={versionId} onChange={(event) => setVersionId(event.target.value)} data-testid="prune-version">
            {props.candidates.map((item) => (
              <option key={item.versionId} value={item.versionId}>
                {item.promptName} v{item.number} — {formatCount(item.examples)} example{item.examples === 1 ? "" : "s"}, {formatCount(item.counterexamples)} counterexample{item.counterexamples === 1 ? "" : "s"}
              </option>
            ))}
          </select>
        </label>
        <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
          <label className="block">
            <span className="label">Suite</span>
            <select className="input" value={suiteId} onChange={(event) => setSuiteId(event.target.value)} data-testid="prune-suite">
              {props.suites.length === 0 && <option value="">No suites yet</option>}
              {props.suites.map((item) => (
                <option key={item.id} value={item.id}>{item.name} ({formatCount(item.caseCount)} cases)</option>
              ))}
            </select>
          </label>
          <label className="block">
            <span className="label">Connection</span>
            <select className="input" value={connectionId} onChange={(event) => { setConnectionId(event.target.value); setModel(props.connections.find((item) => item.id === event.target.value)?.models[0] ?? ""); }}>
              {props.connections.map((item) => (
                <option key={item.id} value={item.id}>{item.name}</option>
              ))}
            </select>
          </label>
          <label className="block">
            <span className="label">Model</span>
            <input className="input" list="prune-models" value={model} onChange={(event) => setModel(event.target.value)} data-testid="prune-model" />
            <datalist id="prune-models">{connection?.models.map((name) => <option key={name} value={name} />)}</datalist>
          </label>
          <label className="block">
            <span className="label">Margin (points)</span>
            <input className="input" type="number" min={0} max={50} step={0.5} value={marginPoints} onChange={(event) => setMarginPoints(Number(event.target.value))} data-testid="prune-margin" />
          </label>
        </div>
        {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="prune-error">{error}</p>}
        <div className="flex items-center gap-3">
          <button className="btn-primary" type="submit" disabled={running || !suiteId || !connectionId || !model.trim()} data-testid="start-prune">
            {running ? "Pruning… (one run per round)" : "Prune examples"}
          </button>
          <span className="text-xs text-slate-500">Each round runs the suite once per remaining example; the runs appear under Runs. Response cache off.</span>
        </div>
      </form>
      {pruning && pruning.state === "running" && pruning.progress && (
        <section className="card flex items-start justify-between gap-4 p-4" data-testid="prune-progress">
          <div className="min-w-0 text-sm">
            <div className="font-medium text-slate-800" data-testid="prune-round">
              {pruning.progress.round === null
                ? "Last run: the full prompt and the smallest set side by side, for the savings"
                : `Round ${formatCount(pruning.progress.round)} of at most ${formatCount(pruning.progress.maxRounds)}`}
              {pruning.progress.steps.length > 0 && (
                <span className="ml-2 font-normal text-slate-500">
                  removed so far: {pruning.progress.steps.map((step) => step.removed).filter(Boolean).join(", ") || "none"}
                </span>
              )}
            </div>
            {pruning.progress.trying.length > 0 && (
              <div className="mt-1 text-xs text-slate-600" data-testid="prune-trying">
                Trying: {pruning.progress.trying.join(" · ")}
              </div>
            )}
            {pruning.progress.runId && (
              <Link className="mt-1 inline-block text-xs underline" href={inWorkspace(`/runs/${pruning.progress.runId}`)} data-testid="prune-run-link">Open this round&apos;s run</Link>
            )}
          </div>
          <button className="btn shrink-0" type="button" onClick={cancel} disabled={cancelling} data-testid="prune-cancel">{cancelling ? "Cancelling…" : "Cancel"}</button>
        </section>
      )}
      {report && (
        <section className="card space-y-3 p-4" data-testid="prune-report">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 className="font-semibold text-slate-800">
              Keeps {formatCount(report.keepExamples.length)} example{report.keepExamples.length === 1 ? "" : "s"} and {formatCount(report.keepCounterexamples.length)} counterexample{report.keepCounterexamples.length === 1 ? "" : "s"}
              {report.removed.length > 0 ? ` — removed ${report.removed.join(", ")}` : " — nothing could be removed"}
            </h2>
            <div className="flex shrink-0 items-center gap-2">
              {report.removed.length > 0 && report.fullVariantId && report.prunedVariantId && (
                <Link className="btn" href={inWorkspace(`/compare?variants=${report.fullVariantId},${report.prunedVariantId}`)} data-testid="prune-compare">Compare full vs pruned</Link>
              )}
              {props.canSave && report.removed.length > 0 && !saved && (
                <button className="btn" type="button" onClick={saveDraft} data-testid="prune-save">Create draft</button>
              )}
              {saved && <Link className="btn" href={inWorkspace(`/prompts/${saved.promptId}`)} data-testid="prune-saved">Saved as v{saved.number} — open</Link>}
            </div>
          </div>
          <dl className="grid grid-cols-2 gap-3 text-sm lg:grid-cols-4">
            <div><dt className="label">Pass rate, full → pruned</dt><dd data-testid="prune-pass">{formatPercent(report.fullPassRate)} → {formatPercent(report.prunedPassRate)} ({formatCount(report.cases)} cases)</dd></div>
            <div><dt className="label">Input tokens saved per call</dt><dd>{formatTokens(report.inputTokensSavedPerCall)}</dd></div>
            <div><dt className="label">Latency saved per 1,000 calls</dt><dd>{formatDuration(report.latencySavedMsPer1000Calls)}</dd></div>
            <div><dt className="label">Cost saved per 1,000 calls</dt><dd>{formatMoney(report.costSavedPer1000Calls)}</dd></div>
          </dl>
          <table className="w-full text-sm" data-testid="prune-steps">
            <thead className="text-left text-xs text-slate-500">
              <tr><th className="py-1">Round</th><th>Without</th><th>Pass rate</th><th>Drop (points)</th><th>Paired p</th><th>Verdict</th></tr>
            </thead>
            <tbody>
              {report.steps.flatMap((step) =>
                step.tried.map((tried, index) => (
                  <tr key={`${step.round}-${tried.label}`} className="border-t border-slate-100">
                    <td className="py-1">{index === 0 ? <Link className="underline" href={inWorkspace(`/runs/${step.runId}`)}>{step.round}</Link> : ""}</td>
                    <td>{tried.label}</td>
                    <td>{formatPercent(tried.evidence.candidatePassRate)}</td>
                    <td>{formatNumber(tried.evidence.dropPoints, 1)}</td>
                    <td>{tried.evidence.pValue < 0.001 ? "< 0.001" : formatNumber(tried.evidence.pValue, 3)}</td>
                    <td>{step.removed === tried.label ? "removed" : tried.evidence.notWorse ? "not worse" : "worse"}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
          <p className="text-xs text-slate-500">
            Every candidate is compared with the full prompt on the same cases: not worse means at most {formatNumber(report.marginPoints, 1)} points below it and not shown worse by an exact McNemar test at α = {formatNumber(report.alpha, 2)}. On a small suite a drop within the margin can still hide a real loss: add cases before trusting a small set.
          </p>
        </section>
      )}
    </div>
  );
}
