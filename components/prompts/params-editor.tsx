"use client";
import { useState } from "react";
import type { ConnectionOption, Draft, Params, ResponseFormat } from "./types";

function numberOrUndefined(value: string): number | undefined {
  if (value.trim() === "") return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

export function ModelPicker(props: {
  connections: ConnectionOption[];
  connectionId: string | null;
  model: string | null;
  onChange: (connectionId: string | null, model: string | null) => void;
  testId?: string;
}) {
  const connection = props.connections.find((item) => item.id === props.connectionId);
  return (
    <div className="flex gap-2" data-testid={props.testId}>
      <select
        className="input"
        value={props.connectionId ?? ""}
        aria-label="Connection"
        onChange={(event) => {
          const next = props.connections.find((item) => item.id === event.target.value);
          props.onChange(next?.id ?? null, next?.models[0]?.name ?? null);
        }}
      >
        <option value="">Choose a connection…</option>
        {props.connections.map((item) => <option key={item.id} value={item.id}>{item.name}</option>)}
      </select>
      <select className="input font-mono" value={props.model ?? ""} aria-label="Model" onChange={(event) => props.onChange(props.connectionId, event.target.value || null)} disabled={!connection}>
        {!connection && <option value="">—</option>}
        {connection?.models.map((model) => <option key={model.name} value={model.name}>{model.name}</option>)}
      </select>
    </div>
  );
}

export function ParamsEditor(props: { draft: Draft; connections: ConnectionOption[]; onChange: (patch: Partial<Draft>) => void }) {
  const params = props.draft.params;
  const setParams = (patch: Partial<Params>) => props.onChange({ params: { ...params, ...patch } });
  const format = params.responseFormat?.type ?? "text";
  const [schemaText, setSchemaText] = useState(() =>
    params.responseFormat?.type === "json_schema" ? JSON.stringify(params.responseFormat.schema, null, 2) : '{\n  "type": "object",\n  "properties": {},\n  "required": []\n}',
  );
  const [schemaError, setSchemaError] = useState<string | null>(null);

  function setFormat(type: ResponseFormat["type"]) {
    if (type === "json_schema") {
      try {
        setParams({ responseFormat: { type, name: "output", schema: JSON.parse(schemaText), strict: true } });
      } catch (error) {
        // The schema text does not parse (yet): switch the format anyway and say why the schema is empty, as typing
        // in the schema field does.
        setParams({ responseFormat: { type, name: "output", schema: {}, strict: true } });
        setSchemaError((error as Error).message);
      }
    } else setParams({ responseFormat: type === "text" ? undefined : { type } });
  }

  return (
    <section className="space-y-3" data-testid="params-editor">
      <h3 className="text-sm font-semibold">Default model and parameters</h3>
      <ModelPicker connections={props.connections} connectionId={props.draft.connectionId} model={props.draft.model} onChange={(connectionId, model) => props.onChange({ connectionId, model })} testId="default-model" />
      <div className="grid grid-cols-4 gap-3">
        <label className="block">
          <span className="label">Temperature {params.temperature ?? "default"}</span>
          <input type="range" min={0} max={2} step={0.05} value={params.temperature ?? 1} onChange={(event) => setParams({ temperature: Number(event.target.value) })} className="w-full accent-brand-600" aria-label="Temperature" />
        </label>
        <label className="block">
          <span className="label">Max tokens</span>
          <input className="input" type="number" min={1} value={params.maxTokens ?? ""} placeholder="default" onChange={(event) => setParams({ maxTokens: numberOrUndefined(event.target.value) })} />
        </label>
        <label className="block">
          <span className="label">Top-p</span>
          <input className="input" type="number" min={0} max={1} step={0.05} value={params.topP ?? ""} placeholder="default" onChange={(event) => setParams({ topP: numberOrUndefined(event.target.value) })} />
        </label>
        <label className="block">
          <span className="label">Seed</span>
          <input className="input" type="number" value={params.seed ?? ""} placeholder="none" onChange={(event) => setParams({ seed: numberOrUndefined(event.target.value) })} />
        </label>
      </div>
      <div className="grid grid-cols-2 gap-3">
        <label className="block">
          <span className="label">Stop sequences (one per line, up to 4)</span>
          <textarea
            className="input font-mono text-xs"
            rows={2}
            value={(params.stop ?? []).join("\n")}
            onChange={(event) => {
              const stop = event.target.value.split("\n").filter((line, index, lines) => line !== "" || index < lines.length - 1);
              setParams({ stop: stop.length ? stop : undefined });
            }}
          />
        </label>
        <label className="block">
          <span className="label">Response format</span>
          <select className="input" value={format} onChange={(event) => setFormat(event.target.value as ResponseFormat["type"])} data-testid="response-format">
            <option value="text">Text</option>
            <option value="json_object">JSON object</option>
            <option value="json_schema">JSON with a schema</option>
          </select>
        </label>
      </div>
      {format === "json_schema" && (
        <label className="block">
          <span className="label">JSON Schema</span>
          <textarea
            className="input font-mono text-xs"
            rows={6}
            value={schemaText}
            onChange={(event) => {
              setSchemaText(event.target.value);
              try {
                const schema = JSON.parse(event.target.value) as Record<string, unknown>;
                setSchemaError(null);
                setParams({ responseFormat: { type: "json_schema", name: "output", schema, strict: true } });
              } catch (error) {
                setSchemaError((error as Error).message);
              }
            }}
          />
          {schemaError && <span className="text-xs text-red-600">Not valid JSON: {schemaError}</span>}
        </label>
      )}
    </section>
  );
}
