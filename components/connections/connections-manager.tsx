"use client";
import { useState } from "react";
import { refusal, type Role } from "@/lib/auth/permissions";
import { api, errorText } from "@/lib/ui/api";
import { ConnectionForm } from "./connection-form";
import { TestResult } from "./test-result";
import type { ConnectionView, PresetView, SavedConnection, TestOutcome } from "./types";

// Members who cannot manage connections (below admin) see the list without the form, Test, Edit or Delete.
export function ConnectionsManager(props: { initial: ConnectionView[]; presets: PresetView[]; canManage: boolean; role: Role }) {
  const [connections, setConnections] = useState(props.initial);
  const [editing, setEditing] = useState<ConnectionView | "new" | null>(props.initial.length === 0 && props.canManage ? "new" : null);
  const [outcomes, setOutcomes] = useState<Record<string, TestOutcome | "testing">>({});
  const [error, setError] = useState<string | null>(null);
  // What the last save of a connection has to tell (e.g. its key was removed because the base URL moved).
  const [notices, setNotices] = useState<Record<string, string[]>>({});

  async function test(connection: ConnectionView) {
    setOutcomes((current) => ({ ...current, [connection.id]: "testing" }));
    try {
      const outcome = await api<TestOutcome>(`/api/connections/${connection.id}/test`, { method: "POST", body: {} });
      setOutcomes((current) => ({ ...current, [connection.id]: outcome }));
    } catch (caught) {
      setOutcomes((current) => ({ ...current, [connection.id]: { ok: false, kind: "error", message: errorText(caught) } }));
    }
  }

  async function remove(connection: ConnectionView) {
    if (!window.confirm(`Delete the connection "${connection.name}"? Stored calls keep their data.`)) return;
    try {
      await api(`/api/connections/${connection.id}`, { method: "DELETE" });
      setConnections((current) => current.filter((item) => item.id !== connection.id));
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  function saved(connection: SavedConnection) {
    setNotices((current) => ({ ...current, [connection.id]: connection.notices ?? [] }));
    setConnections((current) => {
      const index = current.findIndex((item) => item.id === connection.id);
      return index === -1 ? [...current, connection] : current.map((item) => (item.id === connection.id ? connection : item));
    });
    setEditing(null);
  }

  return (
    <div className="space-y-4 p-6">
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      {editing ? (
        <ConnectionForm
          key={editing === "new" ? "new" : editing.id}
          connection={editing === "new" ? null : editing}
          presets={props.presets}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      ) : props.canManage ? (
        <div className="flex justify-end">
          <button className="btn-primary" onClick={() => setEditing("new")} data-testid="add-connection">+ Add connection</button>
        </div>
      ) : (
        <p className="text-sm text-slate-500" data-testid="not-allowed">{refusal(props.role, "connection.manage")}</p>
      )}
      <div className="grid gap-3" data-testid="connection-list">
        {connections.map((connection) => {
          const outcome = outcomes[connection.id];
          return (
            <div key={connection.id} className="card p-4" data-testid="connection-card">
              <div className="flex items-start justify-between gap-4">
                <div className="min-w-0">
                  <div className="flex items-center gap-2">
                    <h3 className="font-semibold">{connection.name}</h3>
                    {connection.kind === "local" && <span className="badge bg-violet-100 text-violet-700">built-in · local</span>}
                    {connection.preset && connection.kind !== "local" && <span className="badge bg-slate-100 text-slate-600">{connection.preset}</span>}
                  </div>
                  <div className="mt-0.5 truncate font-mono text-xs text-slate-500">{connection.baseUrl}</div>
                  <div className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
                    <span>Key: {connection.hasKey ? <span className="font-mono">•••• {connection.apiKeyLast4}</span> : <span className="text-slate-400">none</span>}</span>
                    <span>{connection.models.length} model{connection.models.length === 1 ? "" : "s"}</span>
                    <span>≤ {connection.concurrency} concurrent</span>
                    {connection.rpm && <span>{connection.rpm} RPM</span>}
                    {connection.tpm && <span>{connection.tpm.toLocaleString()} TPM</span>}
                    <span>timeout {connection.timeoutMs / 1000} s</span>
                  </div>
                  {connection.models.length > 0 && (
                    <div className="mt-2 flex flex-wrap gap-1">
                      {connection.models.slice(0, 12).map((model) => (
                        <span key={model.name} className="badge bg-slate-100 font-mono text-slate-700" title={`${model.contextWindow ? `${model.contextWindow.toLocaleString()} tokens · ` : ""}$${model.inputPricePerM ?? "?"} / $${model.outputPricePerM ?? "?"} per 1M`}>
                          {model.name}
                        </span>
                      ))}
                      {connection.models.length > 12 && <span className="text-xs text-slate-500">+{connection.models.length - 12} more</span>}
                    </div>
                  )}
                </div>
                {props.canManage && <div className="flex shrink-0 gap-2">
                  <button className="btn" onClick={() => test(connection)} disabled={outcome === "testing"} data-testid="card-test">{outcome === "testing" ? "Testing…" : "Test"}</button>
                  <button className="btn" onClick={() => setEditing(connection)}>Edit</button>
                  {connection.kind !== "local" && <button className="btn-danger" onClick={() => remove(connection)}>Delete</button>}
                </div>}
              </div>
              {(notices[connection.id] ?? []).map((notice) => (
                <p key={notice} role="status" className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="connection-notice">
                  {notice}
                </p>
              ))}
              {outcome && outcome !== "testing" && <div className="mt-3"><TestResult outcome={outcome} /></div>}
            </div>
          );
        })}
      </div>
    </div>
  );
}
