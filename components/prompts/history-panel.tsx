"use client";
import { useCallback, useEffect, useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import { formatDuration, formatMoney, formatTime } from "@/lib/format";
import { CallMetrics, ProviderError } from "./call-metrics";
import type { CallView, VersionSummary } from "./types";

export function HistoryPanel(props: {
  promptId: string;
  versions: VersionSummary[];
  refreshKey: number;
  /** absent for members who cannot run models: there is nothing to reuse the variables in */
  onReuse?: (call: CallView) => void;
}) {
  const [versionId, setVersionId] = useState("");
  const [model, setModel] = useState("");
  const [calls, setCalls] = useState<CallView[]>([]);
  const [models, setModels] = useState<string[]>([]);
  const [open, setOpen] = useState<CallView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const query = new URLSearchParams();
    if (versionId) query.set("versionId", versionId);
    if (model) query.set("model", model);
    try {
      const result = await api<{ calls: CallView[]; models: string[] }>(`/api/prompts/${props.promptId}/calls?${query}`);
      setCalls(result.calls);
      setModels(result.models);
      setError(null);
    } catch (caught) {
      setError(errorText(caught));
    }
  }, [props.promptId, versionId, model]);

  useEffect(() => {
    void load();
  }, [load, props.refreshKey]);

  if (open) {
    return (
      <div className="space-y-3" data-testid="call-detail">
        <div className="flex items-center justify-between">
          <button className="btn" onClick={() => setOpen(null)}>← All calls</button>
          {props.onReuse && <button className="btn-primary" onClick={() => props.onReuse?.(open)}>Use these variables</button>}
        </div>
        <div className="text-xs text-slate-500">
          {formatTime(open.createdAt)} · {open.userName ?? "someone"} · {open.connectionName} / <span className="font-mono">{open.model}</span> · {open.versionNumber ? `v${open.versionNumber}` : "draft"}
        </div>
        <CallMetrics call={open} />
        {open.error && <ProviderError error={open.error} />}
        <div>
          <div className="label">Messages sent</div>
          {open.messages.map((message, index) => (
            <div key={index} className="mb-1.5 rounded border border-slate-200 bg-slate-50 p-2">
              <div className="text-[10px] font-semibold uppercase text-slate-500">{message.role}</div>
              <pre className="whitespace-pre-wrap break-words font-mono text-xs">{message.content}</pre>
            </div>
          ))}
        </div>
        <div>
          <div className="label">Output</div>
          <pre className="whitespace-pre-wrap break-words rounded border border-slate-200 bg-white p-2 font-mono text-xs">{open.output || "—"}</pre>
        </div>
      </div>
    );
  }

  return (
    <div className="space-y-3" data-testid="history">
      <div className="flex gap-2">
        <select className="input" value={versionId} onChange={(event) => setVersionId(event.target.value)} aria-label="Filter by version">
          <option value="">All versions and drafts</option>
          <option value="draft">Drafts only</option>
          {props.versions.map((version) => <option key={version.id} value={version.id}>v{version.number}</option>)}
        </select>
        <select className="input" value={model} onChange={(event) => setModel(event.target.value)} aria-label="Filter by model">
          <option value="">All models</option>
          {models.map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
      </div>
      {error && <p className="text-sm text-red-600">{error}</p>}
      {calls.length === 0 ? (
        <p className="text-sm text-slate-500">No calls yet. Every run in the playground is kept here.</p>
      ) : (
        <table className="w-full text-xs">
          <thead>
            <tr className="border-b border-slate-200 text-left text-slate-500">
              <th className="py-1 font-medium">When</th>
              <th className="py-1 font-medium">Version</th>
              <th className="py-1 font-medium">Model</th>
              <th className="py-1 font-medium">Output</th>
              <th className="py-1 text-right font-medium">Latency</th>
              <th className="py-1 text-right font-medium">Cost</th>
            </tr>
          </thead>
          <tbody>
            {calls.map((call) => (
              <tr key={call.id} className="cursor-pointer border-b border-slate-100 hover:bg-slate-50" onClick={() => setOpen(call)} data-testid="call-row">
                <td className="whitespace-nowrap py-1.5 pr-2 text-slate-500">{formatTime(call.createdAt)}</td>
                <td className="py-1.5 pr-2">{call.versionNumber ? `v${call.versionNumber}` : <span className="text-amber-700">draft</span>}</td>
                <td className="py-1.5 pr-2 font-mono">{call.model}</td>
                <td className="max-w-[280px] truncate py-1.5 pr-2">{call.error ? <span className="text-red-600">{call.error.message}</span> : call.output}</td>
                <td className="py-1.5 text-right tabular-nums">{formatDuration(call.latencyMs)}</td>
                <td className="py-1.5 text-right tabular-nums">{formatMoney(call.cost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
