"use client";
import { useRef, useState, type FormEvent } from "react";
import { originOf } from "@/lib/connections/origin";
import { api, errorText } from "@/lib/ui/api";
import { ModelsTable } from "./models-table";
import { TestResult } from "./test-result";
import type { ConnectionView, ModelRow, PresetView, SavedConnection, TestOutcome } from "./types";

interface Draft {
  preset: string | null;
  name: string;
  baseUrl: string;
  apiKey: string;
  concurrency: string;
  rpm: string;
  tpm: string;
  timeoutSeconds: string;
  models: ModelRow[];
}

function draftFrom(connection: ConnectionView | null, preset: PresetView | null): Draft {
  if (connection) {
    return {
      preset: connection.preset,
      name: connection.name,
      baseUrl: connection.baseUrl,
      apiKey: "",
      concurrency: String(connection.concurrency),
      rpm: connection.rpm?.toString() ?? "",
      tpm: connection.tpm?.toString() ?? "",
      timeoutSeconds: String(connection.timeoutMs / 1000),
      models: connection.models,
    };
  }
  return {
    preset: preset?.id ?? null,
    name: preset?.name ?? "",
    baseUrl: preset?.baseUrl ?? "",
    apiKey: "",
    concurrency: "4",
    rpm: "",
    tpm: "",
    timeoutSeconds: "60",
    models: preset?.models ?? [],
  };
}

const optionalInt = (value: string) => (value.trim() === "" ? null : Number(value));

/** The origin of what the user typed so far, or null while it is not a URL yet. */
function draftOrigin(url: string): string | null {
  try {
    return originOf(url.trim());
  } catch {
    // Half-typed: nothing to compare yet; the server validates the URL on save.
    return null;
  }
}

export function ConnectionForm(props: {
  connection: ConnectionView | null;
  presets: PresetView[];
  onSaved: (connection: SavedConnection) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftFrom(props.connection, null));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"save" | "test" | "fetch" | null>(null);
  const [outcome, setOutcome] = useState<TestOutcome | null>(null);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const editing = props.connection !== null;
  const keyInput = useRef<HTMLInputElement>(null);

  // The stored key is only ever sent to the origin it was saved for (the server enforces it; this says so before
  // anyone clicks). With the key field empty and the base URL on another origin, test and fetch need the key typed.
  const stored = props.connection;
  const keyOrigin = stored?.hasKey ? (stored.apiKeyOrigin ?? draftOrigin(stored.baseUrl)) : null;
  const typedOrigin = draftOrigin(draft.baseUrl);
  const keyLeftBehind = keyOrigin !== null && !draft.apiKey && typedOrigin !== null && typedOrigin !== keyOrigin;
  const retypeMessage = `This URL's origin differs from the one the key was saved for (${keyOrigin} → ${typedOrigin}): type the key again to test it.`;

  /** false (and the user told why) when the probe would need the stored key somewhere it may not go */
  function probeAllowed(): boolean {
    if (!keyLeftBehind) return true;
    setOutcome(null);
    setError(retypeMessage);
    keyInput.current?.focus();
    return false;
  }

  function applyPreset(id: string) {
    const preset = props.presets.find((item) => item.id === id) ?? null;
    setDraft((current) => ({ ...draftFrom(null, preset), apiKey: current.apiKey }));
    setOutcome(null);
  }

  // Test and fetch use the key typed here, or the stored one when editing and the field is left empty.
  const probeBody = () => ({
    baseUrl: draft.baseUrl,
    apiKey: draft.apiKey || undefined,
    connectionId: editing && !draft.apiKey ? props.connection?.id : undefined,
  });

  async function test() {
    if (!probeAllowed()) return;
    setBusy("test");
    setError(null);
    try {
      setOutcome(await api<TestOutcome>("/api/connections/test", { body: probeBody() }));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  async function fetchModels() {
    if (!probeAllowed()) return;
    setBusy("fetch");
    setError(null);
    try {
      const result = await api<TestOutcome>("/api/connections/test", { body: probeBody() });
      setOutcome(result);
      if (result.ok) {
        const known = new Set(draft.models.map((row) => row.name));
        const presetModels = new Map(props.presets.flatMap((preset) => preset.models).map((row) => [row.name, row]));
        const added = result.models
          .filter((name) => !known.has(name))
          .map((name) => presetModels.get(name) ?? { name, contextWindow: null, inputPricePerM: null, outputPricePerM: null });
        set({ models: [...draft.models, ...added] });
      }
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy("save");
    setError(null);
    const body = {
      preset: draft.preset,
      name: draft.name,
      baseUrl: draft.baseUrl,
      // editing: empty keeps the stored key; "remove" is explicit below
      ...(draft.apiKey ? { apiKey: draft.apiKey } : editing ? {} : { apiKey: null }),
      concurrency: Number(draft.concurrency),
      rpm: optionalInt(draft.rpm),
      tpm: optionalInt(draft.tpm),
      timeoutMs: Math.round(Number(draft.timeoutSeconds) * 1000),
      models: draft.models.filter((row) => row.name.trim() !== ""),
    };
    try {
      const saved = editing
        ? await api<SavedConnection>(`/api/connections/${props.connection!.id}`, { method: "PATCH", body })
        : await api<ConnectionView>("/api/connections", { body });
      props.onSaved(saved);
    } catch (caught) {
      setError(errorText(caught));
      setBusy(null);
    }
  }

  async function removeKey() {
    if (!props.connection) return;
    const saved = await api<SavedConnection>(`/api/connections/${props.connection.id}`, { method: "PATCH", body: { apiKey: null } });
    props.onSaved(saved);
  }

  return (
    <form onSubmit={save} className="card space-y-4 p-5" data-testid="connection-form">
      <div className="flex items-center justify-between">
        <h2 className="font-semibold">{editing ? `Edit ${props.connection!.name}` : "Add a connection"}</h2>
        {!editing && (
          <select className="input w-64" value={draft.preset ?? ""} onChange={(event) => applyPreset(event.target.value)} aria-label="Preset" data-testid="preset-select">
            <option value="">Custom OpenAI-compatible API</option>
            {props.presets.map((preset) => (
              <option key={preset.id} value={preset.id}>{preset.name}</option>
            ))}
          </select>
        )}
      </div>
      <div className="grid grid-cols-2 gap-4">
        <div>
          <label className="label" htmlFor="connection-name">Name</label>
          <input className="input" id="connection-name" value={draft.name} onChange={(event) => set({ name: event.target.value })} required />
        </div>
        <div>
          <label className="label" htmlFor="connection-url">Base URL</label>
          <input className="input font-mono" id="connection-url" value={draft.baseUrl} onChange={(event) => set({ baseUrl: event.target.value })} placeholder="https://api.example.com/v1" required />
        </div>
        <div className="col-span-2">
          <label className="label" htmlFor="connection-key">API key</label>
          <div className="flex gap-2">
            <input
              ref={keyInput}
              className={`input font-mono${keyLeftBehind ? " border-amber-400" : ""}`}
              id="connection-key"
              type="password"
              autoComplete="off"
              value={draft.apiKey}
              onChange={(event) => set({ apiKey: event.target.value })}
              placeholder={
                keyLeftBehind
                  ? `type the key for ${typedOrigin}`
                  : props.connection?.hasKey
                    ? `•••• ${props.connection.apiKeyLast4} — leave empty to keep it`
                    : "none (for local servers)"
              }
            />
            {props.connection?.hasKey && <button type="button" className="btn-danger" onClick={removeKey}>Remove key</button>}
          </div>
          {keyLeftBehind ? (
            <p className="mt-1 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="key-origin-warning">
              The stored key was saved for <span className="font-mono">{keyOrigin}</span> and is only ever sent there; the base URL
              now points to <span className="font-mono">{typedOrigin}</span>. Type the key again to test or fetch models. Saving
              without it removes the stored key.
            </p>
          ) : (
            <p className="mt-1 text-xs text-slate-500">
              Encrypted at rest (AES-256-GCM) and only ever sent to the origin it was saved for. Only its last 4 characters are
              ever shown again.
            </p>
          )}
        </div>
        <div className="col-span-2 grid grid-cols-4 gap-4">
          <div>
            <label className="label" htmlFor="connection-concurrency">Concurrent calls</label>
            <input className="input" id="connection-concurrency" type="number" min={1} max={1000} value={draft.concurrency} onChange={(event) => set({ concurrency: event.target.value })} />
          </div>
          <div>
            <label className="label" htmlFor="connection-rpm">Requests / minute</label>
            <input className="input" id="connection-rpm" type="number" min={1} value={draft.rpm} onChange={(event) => set({ rpm: event.target.value })} placeholder="no limit" />
          </div>
          <div>
            <label className="label" htmlFor="connection-tpm">Tokens / minute</label>
            <input className="input" id="connection-tpm" type="number" min={1} value={draft.tpm} onChange={(event) => set({ tpm: event.target.value })} placeholder="no limit" />
          </div>
          <div>
            <label className="label" htmlFor="connection-timeout">Timeout (s)</label>
            <input className="input" id="connection-timeout" type="number" min={1} max={3600} value={draft.timeoutSeconds} onChange={(event) => set({ timeoutSeconds: event.target.value })} />
          </div>
        </div>
      </div>
      <div>
        <div className="mb-1 flex items-center justify-between">
          <span className="label mb-0">Models and prices</span>
          <button type="button" className="btn" onClick={fetchModels} disabled={busy !== null || !draft.baseUrl} data-testid="fetch-models">
            {busy === "fetch" ? "Fetching…" : "Fetch from /v1/models"}
          </button>
        </div>
        <ModelsTable rows={draft.models} onChange={(models) => set({ models })} />
      </div>
      {outcome && <TestResult outcome={outcome} />}
      {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      <div className="flex justify-between border-t border-slate-100 pt-4">
        <button type="button" className="btn" onClick={test} disabled={busy !== null || !draft.baseUrl} data-testid="test-connection">
          {busy === "test" ? "Testing…" : "Test connection"}
        </button>
        <div className="flex gap-2">
          <button type="button" className="btn" onClick={props.onCancel}>Cancel</button>
          <button className="btn-primary" disabled={busy !== null} data-testid="save-connection">{busy === "save" ? "Saving…" : "Save connection"}</button>
        </div>
      </div>
    </form>
  );
}
