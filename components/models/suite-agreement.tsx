"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import { formatCount, formatPercent } from "@/lib/format";
import type { SuiteAgreementOptions } from "@/lib/quantize/suite-agreement";
import type { TradeoffView } from "@/lib/quantize/tradeoff-service";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// The trade-off's agreement on a chosen suite: a prompt version run on every model of the family (one ordinary run),
// and per quantized version the share of cases whose output equals the original's, beside each pass rate.

const FINAL = new Set(["completed", "cancelled", "failed"]);

export function SuiteAgreement(props: { view: TradeoffView; options: SuiteAgreementOptions; canRun: boolean; onUpdate: (view: TradeoffView) => void }) {
  const suite = props.view.suite;
  const path = useWorkspacePath();
  const firstVersion = props.options.prompts.find((prompt) => prompt.versions.length > 0)?.versions[0]?.id ?? "";
  const [versionId, setVersionId] = useState(suite ? "" : firstVersion);
  const [suiteId, setSuiteId] = useState(props.options.suites[0]?.id ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = suite !== null && !FINAL.has(suite.status);
  const { onUpdate } = props;
  const baseName = props.view.baseName;

  useEffect(() => {
    if (!running) return;
    const timer = setInterval(async () => {
      try {
        const { tradeoffs } = await api<{ tradeoffs: TradeoffView[] }>("/api/local-models/tradeoff");
        const next = tradeoffs.find((item) => item.baseName === baseName);
        if (next) onUpdate(next);
      } catch (caught) {
        setError(errorText(caught));
      }
    }, 1500);
    return () => clearInterval(timer);
  }, [running, baseName, onUpdate]);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      props.onUpdate(await api<TradeoffView>("/api/local-models/tradeoff/suite", { body: { name: baseName, versionId: versionId || firstVersion, suiteId } }));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  const noOptions = props.options.suites.length === 0 || firstVersion === "";
  return (
    <div className="rounded-md border border-slate-200 p-3" data-testid="suite-agreement">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h3 className="text-xs font-semibold text-slate-700">Agreement on a suite</h3>
          <p className="mt-0.5 max-w-2xl text-xs text-slate-500">
            Runs a prompt version on every model of the family (one run through the run engine) and shows, for each quantized version, the share of cases whose
            answer equals the original&apos;s, next to its pass rate.
          </p>
        </div>
        {props.canRun && !noOptions && (
          <div className="flex flex-wrap items-end gap-2 text-xs">
            <label className="flex flex-col gap-0.5">
              <span className="text-slate-500">Prompt version</span>
              <select className="input py-1 text-xs" value={versionId || firstVersion} onChange={(event) => setVersionId(event.target.value)} data-testid="suite-agreement-version">
                {props.options.prompts.map((prompt) =>
                  prompt.versions.map((version) => (
                    <option key={version.id} value={version.id}>
                      {prompt.name} v{version.number}
                    </option>
                  )),
                )}
              </select>
            </label>
            <label className="flex flex-col gap-0.5">
              <span className="text-slate-500">Suite</span>
              <select className="input py-1 text-xs" value={suiteId} onChange={(event) => setSuiteId(event.target.value)} data-testid="suite-agreement-suite">
                {props.options.suites.map((option) => (
                  <option key={option.id} value={option.id}>
                    {option.name} ({formatCount(option.cases)} cases)
                  </option>
                ))}
              </select>
            </label>
            <button className="btn px-2.5 py-1 text-xs" onClick={start} disabled={busy || running} data-testid="suite-agreement-run">
              {busy ? "Starting…" : running ? "Running…" : suite ? "Run again" : "Run on the suite"}
            </button>
          </div>
        )}
      </div>
      {noOptions && props.canRun && <p className="mt-2 text-xs text-slate-500">Needs a prompt and a suite in this workspace.</p>}
      {error && <p role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="suite-agreement-error">{error}</p>}
      {suite && (
        <div className="mt-3">
          <p className="text-xs text-slate-600" data-testid="suite-agreement-status">
            {suite.prompt ? `${suite.prompt.name} v${suite.prompt.versionNumber}` : "a deleted version"} on {suite.suite?.name ?? "a deleted suite"}: {suite.status},{" "}
            {formatCount(suite.doneCells)} of {formatCount(suite.totalCells)} calls ·{" "}
            <Link className="link" href={path(`/runs/${suite.runId}`)}>
              open the run
            </Link>
            {suite.status === "completed" && (
              <>
                {" · "}
                <Link className="link" href={path(suite.comparePath)} data-testid="suite-agreement-compare">
                  compare the versions
                </Link>
              </>
            )}
          </p>
          <table className="mt-2 w-full max-w-2xl text-sm" data-testid="suite-agreement-table">
            <thead className="border-b border-slate-200 text-left text-xs text-slate-500">
              <tr>
                <th className="py-1 pr-3 font-medium">Model</th>
                <th className="px-3 py-1 text-right font-medium" title="cases whose answer equals the original model's, of those both answered">Same answer as the original</th>
                <th className="px-3 py-1 text-right font-medium">Pass rate</th>
                <th className="py-1 pl-3 text-right font-medium">Errors</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {suite.models.map((model, index) => (
                <tr key={model.variantId} data-testid="suite-agreement-row" data-model={model.name}>
                  <td className="py-1 pr-3 font-mono text-xs">{model.name}</td>
                  <td className="px-3 py-1 text-right tabular-nums" data-testid="suite-agreement-value">
                    {index === 0 ? "—" : model.agreement === null ? "—" : `${formatPercent(model.agreement, 1)} of ${formatCount(model.compared)}`}
                  </td>
                  <td className="px-3 py-1 text-right tabular-nums">{model.passRate === null ? "—" : `${formatPercent(model.passRate, 1)} (${model.passed}/${model.done})`}</td>
                  <td className="py-1 pl-3 text-right tabular-nums">{model.errors}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
