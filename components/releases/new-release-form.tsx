"use client";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { RELEASE_MODES, type ReleaseMode } from "@/lib/releases/schema";
import { api, errorText } from "@/lib/ui/api";
import { FieldError } from "./field-error";
import { fieldErrorsOf, type FieldErrors } from "./field-errors";
import { DEFAULT_GUARDS, GuardsFields, guardsInputOf, type GuardsDraft } from "./guards-fields";
import { MODE_HELP, MODE_NAMES } from "./release-bits";
import { ringInputOf, RingsEditor, type RingDraft } from "./rings-editor";

export interface PromptOption {
  id: string;
  name: string;
  labels: { name: string; versionNumber: number }[];
}

export interface VersionOption {
  number: number;
  commitMessage: string;
  labels: string[];
}

export interface SuiteOption {
  id: string;
  name: string;
  assertions: number;
}

export interface JudgeConnectionOption {
  id: string;
  name: string;
  models: string[];
}

type ScoringKind = "none" | "suite" | "judge";

const numbers = (text: string) => text.split(/[\s,]+/).filter(Boolean).map(Number);

function Section(props: { title: string; hint?: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="card p-5" data-testid={props.testId}>
      <h2 className="text-sm font-semibold text-slate-800">{props.title}</h2>
      {props.hint && <p className="mt-0.5 text-xs text-slate-500">{props.hint}</p>}
      <div className="mt-3">{props.children}</div>
    </section>
  );
}

export function NewReleaseForm(props: {
  prompts: PromptOption[];
  prompt: PromptOption | null;
  versions: VersionOption[];
  suites: SuiteOption[];
  connections: JudgeConnectionOption[];
}) {
  const router = useRouter();
  const inWorkspace = useWorkspacePath();
  const labels = props.prompt?.labels ?? [];
  const [stable, setStable] = useState(labels.some((label) => label.name === "production") ? "production" : (labels[0]?.name ?? "production"));
  const stableVersion = labels.find((label) => label.name === stable)?.versionNumber ?? null;
  const candidatesOffered = props.versions.filter((version) => version.number !== stableVersion);
  const [candidates, setCandidates] = useState<number[]>(() => (candidatesOffered[0] ? [candidatesOffered[0].number] : []));
  const [mode, setMode] = useState<ReleaseMode>("canary");
  const [steps, setSteps] = useState("1, 5, 25, 50, 100");
  const [split, setSplit] = useState("");
  const [sample, setSample] = useState("100");
  const [rings, setRings] = useState<RingDraft[]>([]);
  const [minMinutes, setMinMinutes] = useState("10");
  const [minCalls, setMinCalls] = useState("100");
  const [guards, setGuards] = useState<GuardsDraft>(DEFAULT_GUARDS);
  const [autoAdvance, setAutoAdvance] = useState(true);
  const [scoring, setScoring] = useState<ScoringKind>("none");
  const [suiteId, setSuiteId] = useState(props.suites[0]?.id ?? "");
  const [assertions, setAssertions] = useState("");
  const [connectionId, setConnectionId] = useState(props.connections[0]?.id ?? "");
  const [judgeModel, setJudgeModel] = useState(props.connections[0]?.models[0] ?? "");
  const [rubric, setRubric] = useState("");
  const [webhook, setWebhook] = useState("");
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A refusal is shown next to its field, which may be far above the buttons: bring the first one into view.
  useEffect(() => {
    if (!error) return;
    const first = document.querySelector('[data-testid="new-release-form"] [data-testid="field-error"]') ?? document.querySelector('[data-testid="release-error"]');
    first?.scrollIntoView({ block: "center", behavior: "smooth" });
  }, [error, errors]);

  const arms = mode === "ab" ? candidates.length + 1 : 2;
  const splitPlaceholder = useMemo(() => {
    const base = Math.floor(100 / arms);
    return Array.from({ length: arms }, (_, index) => (index === 0 ? 100 - base * (arms - 1) : base)).join(", ");
  }, [arms]);

  function pickCandidate(number: number, checked: boolean) {
    if (mode !== "ab") return setCandidates([number]);
    setCandidates((current) => (checked ? [...current, number].sort((a, b) => a - b) : current.filter((item) => item !== number)));
  }

  function body() {
    const scoringInput =
      scoring === "suite"
        ? { suiteId, ...(assertions.trim() ? { assertions: numbers(assertions) } : {}) }
        : scoring === "judge"
          ? { judge: { connectionId, model: judgeModel, rubric } }
          : null;
    return {
      prompt: props.prompt?.name ?? "",
      stable,
      mode,
      ...(mode === "ab" && candidates.length > 1 ? { candidates } : candidates[0] !== undefined ? { candidate: candidates[0] } : {}),
      ...(mode === "canary" ? { steps: numbers(steps) } : {}),
      ...(mode === "ab" && split.trim() ? { split: numbers(split) } : {}),
      ...(mode === "shadow" ? { sample: Number(sample) } : {}),
      rings: rings.map(ringInputOf),
      hold: { minMinutes: Number(minMinutes), minCalls: Number(minCalls) },
      guards: guardsInputOf(guards),
      autoAdvance,
      scoring: scoringInput,
      webhook: webhook.trim() || null,
    };
  }

  async function submit(start: boolean) {
    setBusy(true);
    setError(null);
    setErrors(new Map());
    let id: string;
    try {
      ({ id } = await api<{ id: string }>("/api/releases", { body: body() }));
    } catch (caught) {
      const byField = fieldErrorsOf(caught);
      setErrors(byField);
      setError(byField.size > 0 ? `The release was not created: ${errorText(caught)}` : errorText(caught));
      setBusy(false);
      return;
    }
    try {
      if (start) await api(`/api/releases/${id}/start`, { body: {} });
      router.push(inWorkspace(`/releases/${id}`));
    } catch (caught) {
      // created but not started (another live release on the prompt, the label moved): the page says why and offers Start
      router.push(inWorkspace(`/releases/${id}?notice=${encodeURIComponent(errorText(caught))}`));
    }
  }

  if (!props.prompt) {
    return (
      <div className="card mx-auto max-w-xl p-6 text-sm text-slate-700" data-testid="release-pick-prompt">
        <label className="label" htmlFor="release-prompt">Which prompt?</label>
        <select id="release-prompt" className="input" defaultValue="" onChange={(event) => event.target.value && router.push(inWorkspace(`/releases/new?prompt=${event.target.value}`))} data-testid="release-prompt">
          <option value="" disabled>Choose a prompt…</option>
          {props.prompts.map((prompt) => <option key={prompt.id} value={prompt.id}>{prompt.name}</option>)}
        </select>
        {props.prompts.length === 0 && <p className="mt-2 text-slate-500">This workspace has no prompts yet.</p>}
      </div>
    );
  }

  return (
    <form className="mx-auto max-w-4xl space-y-4 p-6" onSubmit={(event) => { event.preventDefault(); void submit(true); }} data-testid="new-release-form">
      {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="release-error">{error}</p>}

      <Section title="What is released" testId="release-what">
        <div className="grid gap-4 sm:grid-cols-3">
          <div>
            <label className="label" htmlFor="release-prompt">Prompt</label>
            <select id="release-prompt" className="input" value={props.prompt.id} onChange={(event) => router.push(inWorkspace(`/releases/new?prompt=${event.target.value}`))} data-testid="release-prompt">
              {props.prompts.map((prompt) => <option key={prompt.id} value={prompt.id}>{prompt.name}</option>)}
            </select>
            <FieldError errors={errors} paths={["prompt"]} />
          </div>
          <div>
            <label className="label" htmlFor="release-stable">Stable label (what it replaces)</label>
            <select id="release-stable" className="input" value={stable} onChange={(event) => setStable(event.target.value)} data-testid="release-stable">
              {labels.length === 0 && <option value="production">production (not set)</option>}
              {labels.map((label) => <option key={label.name} value={label.name}>{label.name} → v{label.versionNumber}</option>)}
            </select>
            <FieldError errors={errors} paths={["stable"]} />
            {labels.length === 0 && <p className="mt-1 text-xs text-amber-700">This prompt has no label yet: put one (e.g. production) on the version serving traffic.</p>}
          </div>
          <div>
            <span className="label">{mode === "ab" ? "Candidate versions" : "Candidate version"}</span>
            <div className="max-h-36 space-y-1 overflow-y-auto rounded-md border border-slate-200 p-2" data-testid="release-candidates">
              {candidatesOffered.length === 0 && <p className="text-xs text-slate-500">No other version to release.</p>}
              {candidatesOffered.map((version) => (
                <label key={version.number} className="flex items-baseline gap-2 text-sm">
                  <input
                    type={mode === "ab" ? "checkbox" : "radio"}
                    name="candidate"
                    checked={candidates.includes(version.number)}
                    onChange={(event) => pickCandidate(version.number, event.target.checked)}
                    data-testid={`release-candidate-${version.number}`}
                  />
                  <span className="font-mono font-medium">v{version.number}</span>
                  <span className="truncate text-xs text-slate-500" title={version.commitMessage}>{version.commitMessage || "no message"}</span>
                  {version.labels.map((label) => <span key={label} className="badge bg-slate-100 text-slate-600">{label}</span>)}
                </label>
              ))}
            </div>
            <FieldError errors={errors} paths={["candidate", "candidates"]} />
          </div>
        </div>
      </Section>

      <Section title="Mode" testId="release-mode-section">
        <div className="grid gap-2 sm:grid-cols-2" role="radiogroup" aria-label="Mode">
          {RELEASE_MODES.map((item) => (
            <label key={item} className={`flex cursor-pointer gap-2 rounded-md border p-3 text-sm ${mode === item ? "border-brand-500 bg-brand-50" : "border-slate-200 hover:bg-slate-50"}`}>
              <input type="radio" name="mode" checked={mode === item} onChange={() => { setMode(item); if (item !== "ab") setCandidates((current) => current.slice(0, 1)); }} data-testid={`release-mode-${item}`} />
              <span>
                <span className="font-medium text-slate-800">{MODE_NAMES[item]}</span>
                <span className="mt-0.5 block text-xs text-slate-600">{MODE_HELP[item]}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldError errors={errors} paths={["mode"]} />
        <div className="mt-4 max-w-md">
          {mode === "canary" && (
            <>
              <label className="label" htmlFor="release-steps">Ramp steps (% of users on the candidate)</label>
              <input id="release-steps" className="input font-mono" value={steps} onChange={(event) => setSteps(event.target.value)} data-testid="release-steps" />
              <FieldError errors={errors} paths={["steps"]} />
              <p className="mt-1 text-xs text-slate-500">Ascending, ending at 100. Raising a step keeps every user already on the candidate there.</p>
            </>
          )}
          {mode === "ab" && (
            <>
              <label className="label" htmlFor="release-split">Split (% per arm: stable first, then the candidates)</label>
              <input id="release-split" className="input font-mono" value={split} placeholder={splitPlaceholder} onChange={(event) => setSplit(event.target.value)} data-testid="release-split" />
              <FieldError errors={errors} paths={["split"]} />
              <p className="mt-1 text-xs text-slate-500">Empty: an even split over the {arms} arms. Shares sum to 100.</p>
            </>
          )}
          {mode === "shadow" && (
            <>
              <label className="label" htmlFor="release-sample">Sample (% of stable's requests also sent to the candidate)</label>
              <input id="release-sample" className="input w-32" inputMode="decimal" value={sample} onChange={(event) => setSample(event.target.value)} data-testid="release-sample" />
              <FieldError errors={errors} paths={["sample"]} />
            </>
          )}
          {mode === "interleaved" && <p className="text-xs text-slate-500">The prompt must answer a JSON array or numbered lines; applications report picks to <code className="kbd">POST /interactions</code>.</p>}
        </div>
      </Section>

      <Section title="Audience rings" hint="Test internally first: the first ring a request matches is its ring." testId="release-rings">
        <RingsEditor rings={rings} onChange={setRings} errors={errors} />
        <FieldError errors={errors} paths={["rings"]} exact />
      </Section>

      <Section title="Hold and advance" testId="release-hold">
        <div className="flex flex-wrap items-start gap-4">
          <div className="w-56">
            <label className="label" htmlFor="hold-minutes">Hold each stage at least (min)</label>
            <input id="hold-minutes" className="input" inputMode="decimal" value={minMinutes} onChange={(event) => setMinMinutes(event.target.value)} data-testid="hold-minutes" />
            <FieldError errors={errors} paths={["hold.minMinutes"]} />
          </div>
          <div className="w-56">
            <label className="label" htmlFor="hold-calls">and at least candidate calls</label>
            <input id="hold-calls" className="input" inputMode="numeric" value={minCalls} onChange={(event) => setMinCalls(event.target.value)} data-testid="hold-calls" />
            <FieldError errors={errors} paths={["hold.minCalls"]} />
          </div>
          <label className="mt-6 flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={autoAdvance} onChange={(event) => setAutoAdvance(event.target.checked)} data-testid="release-auto-advance" />
            Advance by itself when a stage has held long enough and every guard passes
          </label>
        </div>
      </Section>

      <Section title="Guards" hint="Candidate vs stable; a breach rolls the candidate back and says why." testId="release-guards">
        <GuardsFields value={guards} onChange={setGuards} errors={errors} />
      </Section>

      <Section title="Online scoring" hint="Score real outputs as they come: a suite's assertions or a judge. Feeds the pass-rate guard and the shadow comparison." testId="release-scoring">
        <div className="flex gap-4 text-sm">
          {(["none", "suite", "judge"] as const).map((kind) => (
            <label key={kind} className="flex items-center gap-1.5">
              <input type="radio" name="scoring" checked={scoring === kind} onChange={() => setScoring(kind)} data-testid={`scoring-${kind}`} />
              {kind === "none" ? "No scoring" : kind === "suite" ? "A suite's assertions" : "A judge"}
            </label>
          ))}
        </div>
        {scoring === "suite" && (
          <div className="mt-3 flex flex-wrap gap-4">
            <div className="w-64">
              <label className="label" htmlFor="scoring-suite">Suite</label>
              <select id="scoring-suite" className="input" value={suiteId} onChange={(event) => setSuiteId(event.target.value)} data-testid="scoring-suite">
                {props.suites.map((suite) => <option key={suite.id} value={suite.id}>{suite.name} ({suite.assertions} assertions)</option>)}
              </select>
              <FieldError errors={errors} paths={["scoring.suiteId"]} />
            </div>
            <div className="w-64">
              <label className="label" htmlFor="scoring-assertions">Only these assertions (numbers from 0; empty = all)</label>
              <input id="scoring-assertions" className="input font-mono" value={assertions} placeholder="0, 2" onChange={(event) => setAssertions(event.target.value)} data-testid="scoring-assertions" />
              <FieldError errors={errors} paths={["scoring.assertions"]} />
            </div>
          </div>
        )}
        {scoring === "judge" && (
          <div className="mt-3 grid gap-4 sm:grid-cols-2">
            <div>
              <label className="label" htmlFor="scoring-connection">Judge connection</label>
              <select id="scoring-connection" className="input" value={connectionId} onChange={(event) => { setConnectionId(event.target.value); setJudgeModel(props.connections.find((item) => item.id === event.target.value)?.models[0] ?? ""); }} data-testid="scoring-connection">
                {props.connections.map((connection) => <option key={connection.id} value={connection.id}>{connection.name}</option>)}
              </select>
              <FieldError errors={errors} paths={["scoring.judge.connectionId"]} />
            </div>
            <div>
              <label className="label" htmlFor="scoring-model">Model</label>
              <input id="scoring-model" className="input" list="scoring-models" value={judgeModel} onChange={(event) => setJudgeModel(event.target.value)} data-testid="scoring-model" />
              <datalist id="scoring-models">{props.connections.find((item) => item.id === connectionId)?.models.map((model) => <option key={model} value={model} />)}</datalist>
              <FieldError errors={errors} paths={["scoring.judge.model"]} />
            </div>
            <div className="sm:col-span-2">
              <label className="label" htmlFor="scoring-rubric">Rubric</label>
              <textarea id="scoring-rubric" className="input h-24" value={rubric} onChange={(event) => setRubric(event.target.value)} placeholder="Pass when the answer cites the order number and stays polite." data-testid="scoring-rubric" />
              <FieldError errors={errors} paths={["scoring.judge.rubric", "scoring.judge"]} />
            </div>
          </div>
        )}
        <FieldError errors={errors} paths={["scoring"]} exact />
      </Section>

      <Section title="Webhook" hint="Receives a JSON summary when the release rolls back (through the workspace's outbound URL policy)." testId="release-webhook-section">
        <input className="input max-w-xl" inputMode="url" value={webhook} placeholder="https://hooks.example.com/assay" onChange={(event) => setWebhook(event.target.value)} aria-label="Webhook URL" data-testid="release-webhook" />
        <FieldError errors={errors} paths={["webhook"]} />
      </Section>

      <div className="flex items-center justify-end gap-2">
        <button type="button" className="btn" disabled={busy} onClick={() => void submit(false)} data-testid="release-save-draft">Save as draft</button>
        <button type="submit" className="btn-primary" disabled={busy} data-testid="release-submit">{busy ? "Starting…" : "Create and start"}</button>
      </div>
    </form>
  );
}
