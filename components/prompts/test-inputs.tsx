"use client";
import { useState } from "react";
import type { TestInput } from "./types";

// Named variable sets kept with a version: edited here like examples (saved with the version), picked in the
// playground's Variables panel. The first one is what the playground opens with.

/** Stored values may be JSON (from the API); the editor and the playground work on text. */
export function variablesAsText(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)]));
}

/** A name not yet used by another test input: "Input 3", "Input 4"… */
export function freeTestInputName(inputs: TestInput[], stem = "Input"): string {
  const taken = new Set(inputs.map((input) => input.name));
  for (let number = inputs.length + 1; ; number++) {
    const name = `${stem} ${number}`;
    if (!taken.has(name)) return name;
  }
}

export function TestInputsEditor(props: { variables: string[]; testInputs: TestInput[]; onChange: (testInputs: TestInput[]) => void }) {
  const change = (index: number, patch: Partial<TestInput>) =>
    props.onChange(props.testInputs.map((input, i) => (i === index ? { ...input, ...patch } : input)));
  const names = [...new Set([...props.variables, ...props.testInputs.flatMap((input) => Object.keys(input.variables))])];
  return (
    <section className="space-y-3" data-testid="test-inputs-editor">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold">Test inputs</h3>
        <span className="text-xs text-slate-400">The playground opens with the first one.</span>
      </div>
      {props.testInputs.map((input, index) => (
        <div key={index} className="rounded-md border border-sky-200 bg-sky-50/40 p-3" data-testid={`test-input-${index}`}>
          <div className="mb-2 flex items-center gap-2">
            <input className="input py-1 text-xs font-medium" value={input.name} aria-label="Test input name" onChange={(event) => change(index, { name: event.target.value })} data-testid={`test-input-${index}-name`} />
            {index > 0 && (
              <button type="button" className="shrink-0 text-xs text-slate-500 hover:text-slate-800" title="Make this the one the playground opens with" onClick={() => props.onChange([input, ...props.testInputs.filter((_, i) => i !== index)])}>
                Make first
              </button>
            )}
            <button type="button" className="shrink-0 text-xs text-slate-500 hover:text-red-600" onClick={() => props.onChange(props.testInputs.filter((_, i) => i !== index))}>Remove</button>
          </div>
          {names.length === 0 ? (
            <p className="text-xs text-slate-400">No variables in the template.</p>
          ) : (
            <div className="grid grid-cols-2 gap-2">
              {names.map((name) => (
                <label key={name} className="block">
                  <span className={`label font-mono ${props.variables.includes(name) ? "" : "line-through opacity-60"}`}>{name}</span>
                  <textarea
                    className="input min-h-[34px] font-mono text-xs [field-sizing:content]"
                    rows={1}
                    value={input.variables[name] ?? ""}
                    onChange={(event) => change(index, { variables: { ...input.variables, [name]: event.target.value } })}
                    data-testid={`test-input-${index}-var-${name}`}
                  />
                </label>
              ))}
            </div>
          )}
        </div>
      ))}
      <button
        type="button"
        className="btn"
        onClick={() => props.onChange([...props.testInputs, { name: freeTestInputName(props.testInputs), variables: Object.fromEntries(props.variables.map((name) => [name, ""])) }])}
        data-testid="add-test-input"
      >
        + Test input
      </button>
    </section>
  );
}

/** The Variables panel's picker: fill the variables from one test input, or keep what is typed as a new one. */
export function TestInputPicker(props: {
  testInputs: TestInput[];
  selected: string | null;
  canSave: boolean;
  onPick: (input: TestInput) => void;
  onSaveCurrent: (name: string) => void;
}) {
  const [naming, setNaming] = useState<string | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs">
      {props.testInputs.length > 0 && (
        <select
          className="input w-auto py-1 text-xs"
          aria-label="Test input"
          value={props.selected ?? ""}
          onChange={(event) => {
            const input = props.testInputs.find((item) => item.name === event.target.value);
            if (input) props.onPick(input);
          }}
          data-testid="test-input-picker"
        >
          {props.selected === null && <option value="">Typed by hand</option>}
          {props.testInputs.map((input) => (
            <option key={input.name} value={input.name}>{input.name}</option>
          ))}
        </select>
      )}
      {props.canSave &&
        (naming === null ? (
          <button type="button" className="text-brand-700 hover:underline" onClick={() => setNaming(freeTestInputName(props.testInputs))} data-testid="save-test-input">
            Save as test input
          </button>
        ) : (
          <form
            className="flex items-center gap-1"
            onSubmit={(event) => {
              event.preventDefault();
              const name = naming.trim();
              if (!name) return;
              props.onSaveCurrent(name);
              setNaming(null);
            }}
          >
            <input className="input w-40 py-1 text-xs" autoFocus value={naming} aria-label="Name of the new test input" onChange={(event) => setNaming(event.target.value)} data-testid="test-input-new-name" />
            <button type="submit" className="btn py-1 text-xs" data-testid="test-input-add">Add</button>
            <button type="button" className="text-slate-500 hover:text-slate-800" onClick={() => setNaming(null)}>Cancel</button>
          </form>
        ))}
    </div>
  );
}
