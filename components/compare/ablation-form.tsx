"use client";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { planAblation } from "@/lib/compare/ablation-plan";
import type { AblationCandidate, CreatedAblation } from "@/lib/compare/ablation";
import { api, ApiError, errorText } from "@/lib/ui/api";
import { LetterBadge } from "./variant-chip";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// One action answers "do the examples earn their tokens?": pick a version with examples (and counterexamples), a
// suite and a model; the run goes zero-shot → examples → examples + counterexamples and opens in the compare screen.

export interface AblationSuite {
  id: string;
  name: string;
  caseCount: number;
}

export interface AblationConnection {
  id: string;
  name: string;
  models: string[];
}

function placeholderContent(examples: number, counterexamples: number) {
  return {
    messages: [],
    exampleMode: "chat" as const,
    examples: Array.from({ length: examples }, () => ({ variables: {}, output: "" })),
    counterexamples: Array.from({ length: counterexamples }, () => ({ variables: {}, output: "", reason: "" })),
  };
}

export function AblationForm(props: { candidates: AblationCandidate[]; suites: AblationSuite[]; connections: AblationConnection[]; initialVersionId: string | null }) {
  const inWorkspace = useWorkspacePath();
  const router = useRouter();
  const initial = props.candidates.find((candidate) => candidate.versionId === props.initialVersionId) ?? props.candidates[0];
  const [versionId, setVersionId] = useState(initial?.versionId ?? "");
  const [suiteId, setSuiteId] = useState(props.suites[0]?.id ?? "");
  const initialConnection = props.connections.find((connection) => connection.id === initial?.connectionId) ?? props.connections[0];
  const [connectionId, setConnectionId] = useState(initialConnection?.id ?? "");
  const [model, setModel] = useState(initial?.model ?? initialConnection?.models[0] ?? "");
  const [exampleSweep, setExampleSweep] = useState(false);
  const [repeats, setRepeats] = useState(1);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const candidate = props.candidates.find((item) => item.versionId === versionId);
  const connection = props.connections.find((item) => item.id === connectionId);
  const suite = props.suites.find((item) => item.id === suiteId);
  const plan = useMemo(() => (candidate ? planAblation(placeholderContent(candidate.examples, candidate.counterexamples), exampleSweep).map((item) => item.label) : []), [candidate, exampleSweep]);
  const calls = plan.length * (suite?.caseCount ?? 0) * repeats;

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const created = await api<CreatedAblation>("/api/ablations", { body: { versionId, suiteId, connectionId, model, exampleSweep, repeats } });
      router.push(inWorkspace(created.url));
    } catch (caught) {
      setError(caught instanceof ApiError ? errorText(caught) : String(caught));
      setSubmitting(false);
    }
  }

  if (props.candidates.length === 0) {
    return (
      <div className="card mx-auto max-w-xl p-8 text-center" data-testid="ablation-empty">
        <h2 className="text-base font-semibold">No prompt version with examples yet</h2>
        <p className="mt-1 text-sm text-slate-600">Add examples (and counterexamples) to a prompt in the prompt studio; this page then measures what each of them adds.</p>
      </div>
    );
  }
  return (
    <form onSubmit={submit} className="mx-auto grid max-w-5xl gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]" data-testid="ablation-form">
      <div className="card space-y-3 p-4">
        <label className="block">
          <span className="label">Prompt version</span>
          <select className="input" value={versionId} onChange={(event) => setVersionId(event.target.value)} data-testid="ablation-version">
            {props.candidates.map((item) => (
              <option key={item.versionId} value={item.versionId}>
                {item.promptName} v{item.number} — {item.examples} example{item.examples === 1 ? "" : "s"}, {item.counterexamples} counterexample{item.counterexamples === 1 ? "" : "s"}{item.commitMessage ? ` · ${item.commitMessage}` : ""}
              </option>
            ))}
          </select>
        </label>
        <label className="block">
          <span className="label">Suite</span>
          <select className="input" value={suiteId} onChange={(event) => setSuiteId(event.target.value)} data-testid="ablation-suite">
            {props.suites.length === 0 && <option value="">No suites yet</option>}
            {props.suites.map((item) => (
              <option key={item.id} value={item.id}>{item.name} ({item.caseCount.toLocaleString("en-US")} cases)</option>
            ))}
          </select>
        </label>
        <div className="grid grid-cols-2 gap-3">
          <label className="block">
            <span className="label">Connection</span>
            <select className="input" value={connectionId} onChange={(event) => { setConnectionId(event.target.value); setModel(props.connections.find((item) => item.id === event.target.value)?.models[0] ?? ""); }} data-testid="ablation-connection">
              {props.connections.map((item) => (
                <option key={item.id} value={item.id}>{item.name}</option>
              ))}
            </select>
          </label>
          <label className="block">
            <span className="label">Model</span>
            <input className="input" list="ablation-models" value={model} onChange={(event) => setModel(event.target.value)} data-testid="ablation-model" />
            <datalist id="ablation-models">{connection?.models.map((name) => <option key={name} value={name} />)}</datalist>
          </label>
        </div>
        <div className="flex flex-wrap items-center gap-4">
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={exampleSweep} onChange={(event) => setExampleSweep(event.target.checked)} disabled={(candidate?.examples ?? 0) < 2} />
            {(candidate?.examples ?? 0) <= 2 ? "Also try with only the first example" : `Also try the first k = 1 … ${(candidate?.examples ?? 1) - 1} examples`}
          </label>
          <label className="flex items-center gap-2 text-sm">
            Repeats
            <input className="input w-16" type="number" min={1} max={20} value={repeats} onChange={(event) => setRepeats(Math.max(1, Number(event.target.value)))} />
          </label>
        </div>
        {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="ablation-error">{error}</p>}
        <div className="flex items-center gap-3">
          <button className="btn-primary" type="submit" disabled={submitting || !suiteId || !connectionId || !model.trim() || plan.length < 2} data-testid="start-ablation">
            {submitting ? "Starting…" : `Run ${plan.length} variants and compare`}
          </button>
          <span className="text-xs text-slate-500">{calls.toLocaleString("en-US")} calls · response cache off, so latency is real</span>
        </div>
      </div>
      <aside className="card p-4 text-sm">
        <h2 className="mb-2 font-semibold text-slate-800">What runs</h2>
        <ol className="space-y-1.5" data-testid="ablation-plan">
          {plan.map((label, index) => (
            <li key={label} className="flex items-center gap-2">
              <LetterBadge letter={String.fromCharCode(65 + index)} index={index} />
              <span>{label}</span>
              {index === 0 && <span className="badge bg-slate-100 text-slate-600">baseline</span>}
            </li>
          ))}
        </ol>
        <p className="mt-3 text-xs text-slate-500">
          The same prompt, model and parameters each time; only the shots change. Each variant is compared with zero-shot on pass rate, score, latency, tokens and cost, with p-values Holm-adjusted across the comparisons. More examples cost input tokens on every call: the comparison shows whether they buy accuracy.
        </p>
      </aside>
    </form>
  );
}
