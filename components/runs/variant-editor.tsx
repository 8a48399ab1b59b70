"use client";
import { ModelPicker } from "@/components/prompts/params-editor";
import type { ConnectionOption } from "@/components/prompts/types";

// One variant of the new-run form: a prompt version (by number or by label), a connection and model, parameters.

export interface PromptOption {
  id: string;
  name: string;
  versions: { id: string; number: number; commitMessage: string; labels: string[] }[];
  labels: { name: string; versionNumber: number }[];
}

export interface VariantDraft {
  key: string;
  label: string;
  promptId: string;
  /** "label:production" or "version:<id>" */
  ref: string;
  connectionId: string | null;
  model: string | null;
  temperature: string;
  maxTokens: string;
  topP: string;
  seed: string;
  /** parameters the form does not edit (stop, responseFormat), carried over from the version */
  extraParams: Record<string, unknown>;
}

export const variantLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const letterColors = ["bg-blue-600", "bg-amber-500", "bg-emerald-600", "bg-violet-600", "bg-rose-600", "bg-cyan-600"];
export function letterColor(index: number): string {
  return letterColors[index % letterColors.length] ?? "bg-slate-600";
}

/** The version a ref points at, with how it was chosen. */
export function resolveRef(prompt: PromptOption | undefined, ref: string): { versionId: string; text: string } | null {
  if (!prompt) return null;
  if (ref.startsWith("label:")) {
    const name = ref.slice(6);
    const label = prompt.labels.find((item) => item.name === name);
    const version = label && prompt.versions.find((item) => item.number === label.versionNumber);
    return version ? { versionId: version.id, text: `${prompt.name}@${name}` } : null;
  }
  const version = prompt.versions.find((item) => item.id === ref.slice(8));
  return version ? { versionId: version.id, text: `${prompt.name}@v${version.number}` } : null;
}

export function autoLabel(prompts: PromptOption[], draft: VariantDraft): string {
  const resolved = resolveRef(prompts.find((item) => item.id === draft.promptId), draft.ref);
  return [resolved?.text, draft.model].filter(Boolean).join(" · ");
}

export function VariantEditor(props: {
  index: number;
  draft: VariantDraft;
  prompts: PromptOption[];
  connections: ConnectionOption[];
  problems: string[];
  canRemove: boolean;
  onChange: (change: Partial<VariantDraft>) => void;
  onPromptChange: (promptId: string, ref: string) => void;
  onDuplicate: () => void;
  onRemove: () => void;
}) {
  const { draft } = props;
  const prompt = props.prompts.find((item) => item.id === draft.promptId);
  const testId = `variant-${props.index}`;
  return (
    <div className={`card p-4 ${props.problems.length > 0 ? "border-red-300" : ""}`} data-testid={testId}>
      <div className="mb-3 flex items-center gap-3">
        <span className={`flex h-6 w-6 items-center justify-center rounded text-xs font-bold text-white ${letterColor(props.index)}`}>{variantLetters[props.index] ?? props.index + 1}</span>
        <input
          className="input max-w-md py-1 text-sm"
          value={draft.label}
          placeholder={autoLabel(props.prompts, draft) || "Label"}
          onChange={(event) => props.onChange({ label: event.target.value })}
          aria-label="Variant label"
          data-testid={`${testId}-label`}
        />
        <div className="flex-1" />
        <button type="button" className="text-xs text-slate-500 hover:text-slate-800" onClick={props.onDuplicate}>Duplicate</button>
        {props.canRemove && <button type="button" className="text-xs text-slate-500 hover:text-red-600" onClick={props.onRemove}>Remove</button>}
      </div>
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-2">
        <div>
          <span className="label">Prompt and version</span>
          <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,1fr)] gap-2">
            <select className="input" value={draft.promptId} onChange={(event) => props.onPromptChange(event.target.value, "")} aria-label="Prompt" data-testid={`${testId}-prompt`}>
              {props.prompts.length === 0 && <option value="">No prompts yet</option>}
              {props.prompts.map((item) => <option key={item.id} value={item.id}>{item.name}</option>)}
            </select>
            <select className="input" value={draft.ref} onChange={(event) => props.onPromptChange(draft.promptId, event.target.value)} aria-label="Version" data-testid={`${testId}-version`}>
              {prompt && prompt.labels.length > 0 && (
                <optgroup label="Labels">
                  {prompt.labels.map((label) => <option key={label.name} value={`label:${label.name}`}>{label.name} → v{label.versionNumber}</option>)}
                </optgroup>
              )}
              {prompt && (
                <optgroup label="Versions">
                  {prompt.versions.map((version) => (
                    <option key={version.id} value={`version:${version.id}`}>
                      v{version.number}{version.commitMessage ? ` — ${version.commitMessage.slice(0, 40)}` : ""}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </div>
        </div>
        <div>
          <span className="label">Connection and model</span>
          <ModelPicker connections={props.connections} connectionId={draft.connectionId} model={draft.model} onChange={(connectionId, model) => props.onChange({ connectionId, model })} testId={`${testId}-target`} />
        </div>
      </div>
      <div className="mt-3 grid grid-cols-2 gap-3 md:grid-cols-4">
        <NumberField label="Temperature" value={draft.temperature} placeholder="model default" onChange={(temperature) => props.onChange({ temperature })} testId={`${testId}-temperature`} />
        <NumberField label="Max tokens" value={draft.maxTokens} placeholder="model default" onChange={(maxTokens) => props.onChange({ maxTokens })} testId={`${testId}-max-tokens`} />
        <NumberField label="Top-p" value={draft.topP} placeholder="model default" onChange={(topP) => props.onChange({ topP })} />
        <NumberField label="Seed" value={draft.seed} placeholder="none" onChange={(seed) => props.onChange({ seed })} />
      </div>
      {Object.keys(draft.extraParams).length > 0 && (
        <p className="mt-2 text-xs text-slate-500">
          Also from the version: {Object.keys(draft.extraParams).map((name) => <code key={name} className="kbd mr-1">{name}</code>)}
        </p>
      )}
      {props.problems.length > 0 && (
        <ul className="mt-3 space-y-0.5 text-xs text-red-600" data-testid={`${testId}-errors`}>
          {props.problems.map((problem, index) => <li key={index}>{problem}</li>)}
        </ul>
      )}
    </div>
  );
}

function NumberField(props: { label: string; value: string; placeholder: string; onChange: (value: string) => void; testId?: string }) {
  return (
    <label className="block">
      <span className="label">{props.label}</span>
      <input className="input" inputMode="decimal" value={props.value} placeholder={props.placeholder} onChange={(event) => props.onChange(event.target.value)} data-testid={props.testId} />
    </label>
  );
}
