"use client";
import type { Counterexample, Example } from "./types";

function VariableInputs(props: { names: string[]; values: Record<string, string>; onChange: (values: Record<string, string>) => void; testId: string }) {
  if (props.names.length === 0) return <p className="text-xs text-slate-400">No variables in the template.</p>;
  return (
    <div className="grid grid-cols-2 gap-2">
      {props.names.map((name) => (
        <label key={name} className="block">
          <span className="label font-mono">{name}</span>
          <textarea
            className="input min-h-[34px] font-mono text-xs [field-sizing:content]"
            rows={1}
            value={props.values[name] ?? ""}
            onChange={(event) => props.onChange({ ...props.values, [name]: event.target.value })}
            data-testid={`${props.testId}-var-${name}`}
          />
        </label>
      ))}
    </div>
  );
}

export function ExamplesEditor(props: {
  variables: string[];
  examples: Example[];
  counterexamples: Counterexample[];
  exampleMode: "chat" | "inline";
  onChange: (patch: { examples?: Example[]; counterexamples?: Counterexample[]; exampleMode?: "chat" | "inline" }) => void;
}) {
  const blank = () => Object.fromEntries(props.variables.map((name) => [name, ""]));
  return (
    <section className="space-y-4">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold">Examples & counterexamples</h3>
        <label className="flex items-center gap-2 text-xs text-slate-600">
          Assemble as
          <select className="input w-auto py-1 text-xs" value={props.exampleMode} onChange={(event) => props.onChange({ exampleMode: event.target.value as "chat" | "inline" })} data-testid="example-mode">
            <option value="chat">chat turns (user → assistant)</option>
            <option value="inline">inline in the user message</option>
          </select>
        </label>
      </div>

      <div className="space-y-2" data-testid="examples">
        {props.examples.map((example, index) => (
          <div key={index} className="rounded-md border border-emerald-200 bg-emerald-50/40 p-3" data-testid={`example-${index}`}>
            <div className="mb-2 flex items-center justify-between">
              <span className="badge bg-emerald-100 text-emerald-800">Example {index + 1}</span>
              <button type="button" className="text-xs text-slate-500 hover:text-red-600" onClick={() => props.onChange({ examples: props.examples.filter((_, i) => i !== index) })}>Remove</button>
            </div>
            <VariableInputs names={props.variables} values={example.variables} testId={`example-${index}`} onChange={(variables) => props.onChange({ examples: props.examples.map((item, i) => (i === index ? { ...item, variables } : item)) })} />
            <label className="mt-2 block">
              <span className="label">Ideal output</span>
              <textarea className="input font-mono text-xs" rows={2} value={example.output} data-testid={`example-${index}-output`} onChange={(event) => props.onChange({ examples: props.examples.map((item, i) => (i === index ? { ...item, output: event.target.value } : item)) })} />
            </label>
          </div>
        ))}
        {props.counterexamples.map((example, index) => (
          <div key={`c${index}`} className="rounded-md border border-rose-200 bg-rose-50/40 p-3" data-testid={`counterexample-${index}`}>
            <div className="mb-2 flex items-center justify-between">
              <span className="badge bg-rose-100 text-rose-800">Counterexample {index + 1}</span>
              <button type="button" className="text-xs text-slate-500 hover:text-red-600" onClick={() => props.onChange({ counterexamples: props.counterexamples.filter((_, i) => i !== index) })}>Remove</button>
            </div>
            <VariableInputs names={props.variables} values={example.variables} testId={`counterexample-${index}`} onChange={(variables) => props.onChange({ counterexamples: props.counterexamples.map((item, i) => (i === index ? { ...item, variables } : item)) })} />
            <div className="mt-2 grid grid-cols-2 gap-2">
              <label className="block">
                <span className="label">Wrong output</span>
                <textarea className="input font-mono text-xs" rows={2} value={example.output} data-testid={`counterexample-${index}-output`} onChange={(event) => props.onChange({ counterexamples: props.counterexamples.map((item, i) => (i === index ? { ...item, output: event.target.value } : item)) })} />
              </label>
              <label className="block">
                <span className="label">Why it is wrong (one line)</span>
                <input className="input text-xs" value={example.reason} data-testid={`counterexample-${index}-reason`} onChange={(event) => props.onChange({ counterexamples: props.counterexamples.map((item, i) => (i === index ? { ...item, reason: event.target.value } : item)) })} />
              </label>
            </div>
          </div>
        ))}
      </div>
      <div className="flex gap-2">
        <button type="button" className="btn" onClick={() => props.onChange({ examples: [...props.examples, { variables: blank(), output: "" }] })} data-testid="add-example">+ Example</button>
        <button type="button" className="btn" onClick={() => props.onChange({ counterexamples: [...props.counterexamples, { variables: blank(), output: "", reason: "" }] })} data-testid="add-counterexample">+ Counterexample</button>
      </div>
    </section>
  );
}
