"use client";
import { useEffect, useRef, useState } from "react";
import { ApiError, errorText, workspaceHeaders } from "@/lib/ui/api";
import { readServerEvents } from "@/lib/ui/sse";
import { CallMetrics, ProviderError } from "./call-metrics";
import { ModelPicker } from "./params-editor";
import type { CallView, ConnectionOption, Draft, Target } from "./types";

interface TargetState {
  output: string;
  status: "idle" | "running" | "done";
  call: CallView | null;
}

const newKey = () => Math.random().toString(36).slice(2, 9);

export function PlaygroundPanel(props: {
  promptId: string;
  versionId: string | null;
  draft: Draft;
  dirty: boolean;
  variables: Record<string, string>;
  connections: ConnectionOption[];
  blocked: string | null;
  onRunFinished: () => void;
}) {
  const [targets, setTargets] = useState<Target[]>(() => [
    { key: newKey(), connectionId: props.draft.connectionId ?? props.connections[0]?.id ?? "", model: props.draft.model ?? props.connections[0]?.models[0]?.name ?? "" },
  ]);
  const [states, setStates] = useState<Record<string, TargetState>>({});
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  const runRef = useRef<() => void>(() => undefined);

  async function run() {
    if (running || props.blocked) return;
    const valid = targets.filter((target) => target.connectionId && target.model);
    if (valid.length === 0) {
      setError("Choose a connection and a model for at least one target.");
      return;
    }
    setError(null);
    setRunning(true);
    setStates(Object.fromEntries(valid.map((target) => [target.key, { output: "", status: "running", call: null }])));
    const abort = new AbortController();
    controller.current = abort;
    try {
      const response = await fetch("/api/playground/run", {
        method: "POST",
        headers: workspaceHeaders({ "content-type": "application/json" }),
        signal: abort.signal,
        body: JSON.stringify({
          promptId: props.promptId,
          // an unsaved draft runs as is; a saved, unchanged version is recorded against its version
          versionId: props.dirty ? null : props.versionId,
          draft: props.draft,
          variables: props.variables,
          targets: valid.map((target) => ({
            key: target.key,
            connectionId: target.connectionId,
            model: target.model,
            params: { temperature: target.temperature, maxTokens: target.maxTokens },
          })),
        }),
      });
      if (!response.ok || !response.body) {
        // A non-JSON error body (a proxy's page) still gets a message: the status, below.
        const body = (await response.json().catch(() => null)) as { error?: { message: string; code: string; details?: [] } } | null;
        throw new ApiError(response.status, body?.error?.code ?? "error", body?.error?.message ?? `Run failed (${response.status})`, body?.error?.details ?? []);
      }
      for await (const event of readServerEvents(response.body)) {
        const data = JSON.parse(event.data) as { key: string; text?: string; call?: CallView };
        if (event.event === "text-delta") {
          setStates((current) => {
            const state = current[data.key];
            return state ? { ...current, [data.key]: { ...state, output: state.output + (data.text ?? "") } } : current;
          });
        } else if (event.event === "call-finished" && data.call) {
          const call = data.call;
          setStates((current) => ({ ...current, [data.key]: { output: call.output, status: "done", call } }));
        } else if (event.event === "error") {
          // The server failed after the stream began (e.g. the history write after the calls were made): the outputs
          // stay on screen and the error says what did not happen.
          setError((JSON.parse(event.data) as { message?: string }).message ?? "The playground run failed.");
        }
      }
    } catch (caught) {
      if (!(caught instanceof DOMException && caught.name === "AbortError")) setError(errorText(caught));
    } finally {
      setRunning(false);
      controller.current = null;
      setStates((current) => Object.fromEntries(Object.entries(current).map(([key, state]) => [key, state.status === "running" ? { ...state, status: "done" } : state])));
      props.onRunFinished();
    }
  }
  runRef.current = () => void run();

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && event.key === "Enter") {
        event.preventDefault();
        runRef.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const update = (key: string, patch: Partial<Target>) => setTargets((current) => current.map((target) => (target.key === key ? { ...target, ...patch } : target)));

  return (
    <div className="space-y-3" data-testid="playground">
      <div className="flex items-center justify-between gap-2">
        <div className="text-xs text-slate-500">
          {props.dirty ? <span className="badge bg-amber-100 text-amber-800">running the unsaved draft</span> : <span>running the saved version</span>}
        </div>
        <div className="flex items-center gap-2">
          {targets.length < 4 && (
            <button type="button" className="btn" disabled={running} data-testid="add-target" onClick={() => setTargets([...targets, { ...targets[targets.length - 1]!, key: newKey() }])}>
              + Compare model
            </button>
          )}
          {running ? (
            <button type="button" className="btn-danger" onClick={() => controller.current?.abort()} data-testid="stop">■ Stop</button>
          ) : (
            <button type="button" className="btn-primary" onClick={() => void run()} disabled={!!props.blocked} title={props.blocked ?? "Run (Ctrl/Cmd+Enter)"} data-testid="run">
              ▶ Run <span className="kbd border-brand-500 bg-brand-700 text-white">Ctrl ↵</span>
            </button>
          )}
        </div>
      </div>
      {props.blocked && <p className="text-xs text-red-600">{props.blocked}</p>}
      {error && <p role="alert" data-testid="playground-error" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      <div className={`grid gap-3 ${targets.length === 1 ? "grid-cols-1" : targets.length === 2 ? "grid-cols-2" : "grid-cols-2 2xl:grid-cols-4"}`}>
        {targets.map((target, index) => {
          const state = states[target.key];
          return (
            <div key={target.key} className="card flex min-w-0 flex-col" data-testid={`target-${index}`}>
              <div className="space-y-2 border-b border-slate-100 p-2.5">
                <ModelPicker connections={props.connections} connectionId={target.connectionId} model={target.model} onChange={(connectionId, model) => update(target.key, { connectionId: connectionId ?? "", model: model ?? "" })} />
                <div className="flex items-center gap-2 text-xs">
                  <label className="flex items-center gap-1 text-slate-500">
                    temp
                    <input className="input w-16 py-0.5 text-xs" type="number" step={0.1} min={0} max={2} placeholder={String(props.draft.params.temperature ?? "")} value={target.temperature ?? ""} onChange={(event) => update(target.key, { temperature: event.target.value === "" ? undefined : Number(event.target.value) })} />
                  </label>
                  <label className="flex items-center gap-1 text-slate-500">
                    max
                    <input className="input w-20 py-0.5 text-xs" type="number" min={1} placeholder={String(props.draft.params.maxTokens ?? "")} value={target.maxTokens ?? ""} onChange={(event) => update(target.key, { maxTokens: event.target.value === "" ? undefined : Number(event.target.value) })} />
                  </label>
                  {targets.length > 1 && <button type="button" className="ml-auto text-slate-400 hover:text-red-600" disabled={running} onClick={() => setTargets(targets.filter((item) => item.key !== target.key))}>Remove</button>}
                </div>
              </div>
              <div className="min-h-[120px] flex-1 p-3">
                {state?.call?.error && <ProviderError error={state.call.error} />}
                <pre className="whitespace-pre-wrap break-words font-mono text-[13px] leading-relaxed text-slate-800" data-testid="output">
                  {state?.output}
                  {state?.status === "running" && <span className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-brand-500 align-middle" />}
                </pre>
                {!state && <p className="text-sm text-slate-400">Output appears here as it streams.</p>}
              </div>
              {state?.call && (
                <div className="border-t border-slate-100 p-2.5">
                  <CallMetrics call={state.call} />
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
