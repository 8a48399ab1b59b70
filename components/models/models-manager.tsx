"use client";
import { useCallback, useEffect, useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import { formatBytes, formatCount, formatDuration, formatParameters, formatRate } from "@/lib/format";
import type { LocalModelView, LocalModelsPage } from "@/lib/local-models/catalog";
import type { SpeedMeasurement } from "@/lib/local-models/server-client";
import { isQuantizable } from "@/lib/quantize/type-info";
import { modelFamilies } from "@/lib/quantize/families";
import type { TradeoffView } from "@/lib/quantize/tradeoff-service";
import type { SuiteAgreementOptions } from "@/lib/quantize/suite-agreement";
import { TradeoffPanel } from "./tradeoff-panel";
import { AddModelForm } from "./add-model-form";
import { QuantizePanel, quantizeNotice } from "./quantize-panel";

const REFRESH_MS = 5000;

type Measuring = { state: "running" } | { state: "done"; measurement: SpeedMeasurement } | { state: "failed"; message: string };

function ServerBanner({ server, loaded }: { server: LocalModelsPage["server"]; loaded: number }) {
  if (server.reachable) {
    return (
      <div className="flex items-center gap-2 text-sm text-slate-600" data-testid="server-status">
        <span className="h-2 w-2 rounded-full bg-emerald-500" aria-hidden />
        Model server running at <span className="font-mono text-xs">{server.url}</span>
        <span className="text-slate-400">·</span>
        {loaded} model{loaded === 1 ? "" : "s"} in memory
      </div>
    );
  }
  return (
    <div className="flex items-start gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="server-status">
      <span className="mt-1.5 h-2 w-2 shrink-0 rounded-full bg-amber-500" aria-hidden />
      <div>
        <div className="font-medium">The model server is not running</div>
        <div className="text-amber-800">{server.message}</div>
      </div>
    </div>
  );
}

function StateBadge({ model }: { model: LocalModelView }) {
  const live = model.live;
  if (!live) return <span className="text-slate-400">—</span>;
  const style =
    live.state === "loaded" ? "bg-emerald-50 text-emerald-700" : live.state === "loading" ? "bg-amber-50 text-amber-700" : "bg-slate-100 text-slate-600";
  return (
    <div>
      <span className={`badge ${style}`}>{live.state === "loaded" ? "in memory" : live.state === "loading" ? "loading…" : "on disk"}</span>
      {live.state === "loaded" && (
        <div className="mt-0.5 text-[11px] text-slate-500">
          {formatBytes(live.memoryBytes)}
          {live.activeRequests > 0 ? ` · ${live.activeRequests} running` : ""}
          {live.queuedRequests > 0 ? ` · ${live.queuedRequests} queued` : ""}
        </div>
      )}
    </div>
  );
}

function Speed({ model, measuring }: { model: LocalModelView; measuring: Measuring | undefined }) {
  const live = model.live;
  return (
    <div className="min-w-36">
      <div className="font-medium tabular-nums text-slate-800" data-testid="measured-speed" title="stored by Measure speed: generated tokens per second">
        {model.tokensPerSecond !== null ? formatRate(model.tokensPerSecond) : <span className="font-normal text-slate-400">not measured</span>}
      </div>
      {measuring?.state === "done" && (
        <div className="text-[11px] text-emerald-700" data-testid="measure-result">
          measured now · first token {formatDuration(measuring.measurement.timeToFirstTokenMs)}
        </div>
      )}
      {measuring?.state === "failed" && <div className="text-[11px] text-red-700" data-testid="measure-error">{measuring.message}</div>}
      {live && (live.completed ?? 0) > 0 && (
        <div className="text-[11px] text-slate-500" data-testid="live-speed" title="since the model server started: mean generation speed, mean time to first token, requests served">
          live {formatRate(live.meanTokensPerSecond)} · TTFT {formatDuration(live.meanTimeToFirstTokenMs)} · {formatCount(live.completed ?? 0)} req
        </div>
      )}
    </div>
  );
}

export function ModelsManager(props: { initial: LocalModelsPage; canWrite: boolean; canRun?: boolean; role?: string; tradeoffs?: TradeoffView[]; suiteOptions?: SuiteAgreementOptions }) {
  const [tradeoffs, setTradeoffs] = useState<TradeoffView[]>(props.tradeoffs ?? []);
  const [page, setPage] = useState(props.initial);
  const [quantizing, setQuantizing] = useState<LocalModelView | null>(null);
  const [measuring, setMeasuring] = useState<Record<string, Measuring>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setPage(await api<LocalModelsPage>("/api/local-models"));
    } catch (caught) {
      setError(errorText(caught));
    }
  }, []);

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void refresh();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  async function measure(model: LocalModelView) {
    setMeasuring((current) => ({ ...current, [model.name]: { state: "running" } }));
    try {
      const result = await api<SpeedMeasurement & { model: LocalModelView }>("/api/local-models/measure", { body: { name: model.name } });
      setMeasuring((current) => ({ ...current, [model.name]: { state: "done", measurement: result } }));
      setPage((current) => ({ ...current, models: current.models.map((item) => (item.name === model.name && item.source === model.source ? { ...item, id: result.model.id, tokensPerSecond: result.tokensPerSecond } : item)) }));
      void refresh();
    } catch (caught) {
      setMeasuring((current) => ({ ...current, [model.name]: { state: "failed", message: errorText(caught) } }));
    }
  }

  async function remove(model: LocalModelView) {
    if (!model.id) return;
    if (!window.confirm(`Remove "${model.name}" from Assay? The file ${model.path ?? model.file} is left where it is.`)) return;
    try {
      await api(`/api/local-models/${model.id}`, { method: "DELETE" });
      setPage((current) => ({ ...current, models: current.models.filter((item) => item.id !== model.id || item.source !== "registered") }));
      setNotice(`Removed "${model.name}". The model server stops serving it within a second.`);
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  const loaded = page.models.filter((model) => model.live?.state === "loaded").length;

  return (
    <div className="space-y-4 p-6">
      <ServerBanner server={page.server} loaded={loaded} />
      {error && (
        <p role="alert" className="flex justify-between gap-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
          <button className="text-xs underline" onClick={() => setError(null)}>Dismiss</button>
        </p>
      )}
      {notice && (
        <p className="flex justify-between gap-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="models-notice">
          {notice}
          <button className="text-xs underline" onClick={() => setNotice(null)}>Dismiss</button>
        </p>
      )}
      {props.canWrite && (
        <AddModelForm
          allowedFolders={page.allowedFolders}
          onAdded={(model) => {
            setPage((current) => ({ ...current, models: [...current.models, model] }));
            setNotice(`Added "${model.name}". It is served as model "${model.name}" and listed in the Local models connection.`);
            void refresh();
          }}
        />
      )}
      {!props.canWrite && (
        <p className="text-xs text-slate-500" data-testid="models-read-only">
          Quantizing, measuring and adding models need the admin or owner role{props.role ? ` (you are ${props.role})` : ""}: ask an admin of this workspace.
        </p>
      )}
      {quantizing && props.canWrite && (
        <QuantizePanel
          key={quantizing.name}
          model={quantizing}
          onClose={() => setQuantizing(null)}
          onDone={(outcome) => {
            setNotice(quantizeNotice(outcome, quantizing.name));
            setQuantizing(null);
            void refresh();
          }}
        />
      )}
      <div className="card overflow-x-auto">
        <table className="w-full text-sm" data-testid="local-models-table">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th className="px-4 py-2 font-medium">Model</th>
              <th className="px-3 py-2 font-medium">Architecture</th>
              <th className="px-3 py-2 text-right font-medium">Parameters</th>
              <th className="px-3 py-2 font-medium">Quantization</th>
              <th className="px-3 py-2 text-right font-medium">Context</th>
              <th className="px-3 py-2 text-right font-medium">Size</th>
              <th className="px-3 py-2 font-medium">Speed</th>
              <th className="px-3 py-2 font-medium">Server</th>
              <th className="px-4 py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {page.models.map((model) => {
              const state = measuring[model.name];
              return (
                <tr key={`${model.source}:${model.name}`} className="align-top" data-testid="local-model-row" data-model={model.name}>
                  <td className="px-4 py-2.5">
                    <div className="flex items-center gap-2">
                      <span className="font-mono font-medium text-slate-900">{model.name}</span>
                      <span className={`badge ${model.source === "folder" ? "bg-slate-100 text-slate-600" : "bg-violet-100 text-violet-700"}`}>
                        {model.source === "folder" ? "folder" : "registered"}
                      </span>
                    </div>
                    <div className="mt-0.5 max-w-[16rem] truncate font-mono text-[11px] text-slate-500" title={model.path ?? model.file} data-testid="model-file">
                      {model.path ?? model.file}
                    </div>
                    {model.title && model.title !== model.name && <div className="text-[11px] text-slate-500">{model.title}</div>}
                    {model.problem && <div className="mt-1 text-xs text-red-700" data-testid="model-problem">{model.problem}</div>}
                    {model.shadowed && <div className="mt-1 text-xs text-amber-700">A file in the models folder has this name and is served instead.</div>}
                  </td>
                  <td className="px-3 py-2.5 font-mono text-xs" data-testid="model-architecture">{model.architecture ?? "—"}</td>
                  <td className="px-3 py-2.5 text-right tabular-nums" data-testid="model-parameters" title={model.parameterCount !== null ? `${formatCount(model.parameterCount)} parameters` : undefined}>
                    {formatParameters(model.parameterCount)}
                  </td>
                  <td className="px-3 py-2.5">{model.quantization ? <span className="badge bg-sky-50 font-mono text-sky-800" data-testid="model-quantization">{model.quantization}</span> : "—"}</td>
                  <td className="px-3 py-2.5 text-right tabular-nums" data-testid="model-context">{model.contextLength !== null ? formatCount(model.contextLength) : "—"}</td>
                  <td className="whitespace-nowrap px-3 py-2.5 text-right tabular-nums" data-testid="model-size">{formatBytes(model.sizeBytes)}</td>
                  <td className="px-3 py-2.5"><Speed model={model} measuring={state} /></td>
                  <td className="whitespace-nowrap px-3 py-2.5"><StateBadge model={model} /></td>
                  <td className="whitespace-nowrap px-4 py-2.5 text-right">
                    <div className="flex flex-col items-end gap-1.5">
                      {props.canWrite && (
                        <button
                          className="btn px-2.5 py-1 text-xs"
                          onClick={() => measure(model)}
                          disabled={state?.state === "running" || model.problem !== null || model.shadowed || !page.server.reachable}
                          title={page.server.reachable ? "Runs a short generation through the model server and stores its tokens per second" : "Start the model server first"}
                          data-testid="measure-speed"
                        >
                          {state?.state === "running" ? "Measuring…" : "Measure speed"}
                        </button>
                      )}
                      {props.canWrite ? (
                        <button
                          className="btn px-2.5 py-1 text-xs"
                          onClick={() => setQuantizing(model)}
                          disabled={model.problem !== null || !isQuantizable(model.quantization)}
                          title={
                            model.problem !== null
                              ? model.problem
                              : isQuantizable(model.quantization)
                                ? "Make a smaller copy with fewer bits per weight (llama.cpp's quantizer)"
                                : `Already quantized (${model.quantization}): quantize from the F32/F16 original`
                          }
                          data-testid="quantize-model"
                        >
                          Quantize
                        </button>
                      ) : (
                        <button className="btn px-2.5 py-1 text-xs" disabled title="Quantizing needs the admin or owner role" data-testid="quantize-model">
                          Quantize
                        </button>
                      )}
                      {props.canWrite && model.source === "registered" && model.id && (
                        <button className="btn-danger px-2.5 py-1 text-xs" onClick={() => remove(model)} data-testid="remove-model">Remove</button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
            {page.models.length === 0 && (
              <tr>
                <td colSpan={9} className="px-4 py-10 text-center text-sm text-slate-500" data-testid="models-empty">
                  No local models yet. Put .gguf files in {page.modelsDir ? <span className="font-mono">{page.modelsDir}</span> : "the models folder"} or add one by path above.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {modelFamilies(page.models).map((family) => (
        <TradeoffPanel
          key={family.base}
          family={family}
          stored={tradeoffs.find((view) => view.baseName === family.base)}
          canWrite={props.canWrite}
          canRun={props.canRun ?? false}
          {...(props.suiteOptions ? { suiteOptions: props.suiteOptions } : {})}
          onMeasured={(view) => setTradeoffs((current) => [...current.filter((item) => item.baseName !== view.baseName), view])}
        />
      ))}
      <p className="text-xs text-slate-500">
        Files in {page.modelsDir ? <span className="font-mono" data-testid="models-dir">{page.modelsDir}</span> : "the models folder"} are served under their file name; registered files under the name given here.
        The server loads a model on its first request and unloads it after 10 idle minutes or when memory is needed. Speed is generated tokens per
        second after the first token, on this machine.
      </p>
    </div>
  );
}
