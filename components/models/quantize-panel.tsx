"use client";
import { useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import { formatBytes, formatDuration, formatPercent } from "@/lib/format";
import { QUANT_TYPE_INFO } from "@/lib/quantize/type-info";
import type { LocalModelView } from "@/lib/local-models/catalog";

export interface QuantizeOutcome {
  name: string;
  type: string;
  sizeBytes: number;
  sourceBytes: number;
  milliseconds: number;
}

// The Quantize action of the Models page: a type picker with what each type does, run through
// POST /api/local-models/quantize (llama.cpp's own quantizer). The result is written into the models folder as
// <model>-<type> and served under that name.
export function QuantizePanel(props: { model: LocalModelView; onDone: (outcome: QuantizeOutcome) => void; onClose: () => void }) {
  const [type, setType] = useState("Q8_0");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const output = `${props.model.name}-${type}`;

  async function run() {
    setBusy(true);
    setError(null);
    try {
      const outcome = await api<QuantizeOutcome>("/api/local-models/quantize", { body: { name: props.model.name, type } });
      props.onDone(outcome);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card p-4" data-testid="quantize-panel" data-model={props.model.name}>
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 className="text-sm font-semibold">
            Quantize <span className="font-mono">{props.model.name}</span>
          </h2>
          <p className="mt-0.5 text-xs text-slate-500">
            llama.cpp&apos;s own quantizer (the code <span className="font-mono">llama-quantize</span> runs) stores the weights with fewer bits; norms stay F32.
            The result is written to the models folder as <span className="font-mono" data-testid="quantize-output">{output}</span> and served under that name.
            {props.model.sizeBytes !== null && <> The original is {formatBytes(props.model.sizeBytes)}.</>}
          </p>
        </div>
        <button className="text-xs text-slate-500 underline" onClick={props.onClose} data-testid="quantize-close">Close</button>
      </div>
      <fieldset className="mt-3 grid grid-cols-1 gap-1.5 md:grid-cols-2" disabled={busy}>
        <legend className="label">Type</legend>
        {QUANT_TYPE_INFO.map((info) => (
          <label
            key={info.type}
            className={`flex cursor-pointer items-start gap-2 rounded-md border px-3 py-2 text-sm ${type === info.type ? "border-sky-400 bg-sky-50" : "border-slate-200 hover:bg-slate-50"}`}
          >
            <input type="radio" name="quant-type" value={info.type} checked={type === info.type} onChange={() => setType(info.type)} className="mt-1" data-testid={`quant-type-${info.type}`} />
            <span>
              <span className="font-mono font-medium text-slate-900">{info.type}</span>
              <span className="ml-2 text-xs text-slate-500">≈ {info.bits} bits/weight</span>
              <span className="block text-xs text-slate-600">{info.explanation}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <p className="mt-2 text-xs text-slate-500">
        K-quants (…_K, …_K_M) work on rows whose width is a multiple of 256; narrower tensors fall back to another type, which the file&apos;s
        bits per weight show. The trade-off table below measures what each version keeps.
      </p>
      <div className="mt-3 flex items-center gap-3">
        <button className="btn-primary" onClick={run} disabled={busy} data-testid="quantize-run">
          {busy ? "Quantizing…" : `Quantize to ${type}`}
        </button>
        {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="quantize-error">{error}</p>}
      </div>
    </div>
  );
}

export function quantizeNotice(outcome: QuantizeOutcome, source: string): string {
  return `Quantized "${source}" to ${outcome.type} in ${formatDuration(outcome.milliseconds)}: "${outcome.name}" is ${formatBytes(outcome.sizeBytes)} (${formatPercent(outcome.sizeBytes / outcome.sourceBytes, 1)} of the original) and is served as model "${outcome.name}".`;
}
