"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ModelPicker } from "@/components/prompts/params-editor";
import type { ConnectionOption } from "@/components/prompts/types";
import { api, ApiError, errorText } from "@/lib/ui/api";
import { formatCount } from "@/lib/format";
import { autoLabel, resolveRef, VariantEditor, type PromptOption, type VariantDraft } from "./variant-editor";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

export interface SuiteOption {
  id: string;
  name: string;
  caseCount: number;
  /** the suite's default assertions include llm-rubric: a judge model is needed */
  usesJudge: boolean;
}

interface VersionDefaults {
  connectionId: string | null;
  model: string | null;
  params: Record<string, unknown>;
}

let counter = 0;
const nextKey = () => `variant-${++counter}`;

function text(value: unknown): string {
  return typeof value === "number" ? String(value) : "";
}

function defaultRef(prompt: PromptOption | undefined): string {
  if (!prompt) return "";
  const production = prompt.labels.find((label) => label.name === "production");
  if (production) return `label:${production.name}`;
  const latest = prompt.versions[0];
  return latest ? `version:${latest.id}` : "";
}

function numberOrUndefined(raw: string): number | string | undefined {
  const trimmed = raw.trim();
  if (trimmed === "") return undefined;
  const parsed = Number(trimmed);
  // Text that is not a number goes to the server as is, which names the field in its answer.
  return Number.isFinite(parsed) ? parsed : trimmed;
}

/** "variants.1.model" or "variants[1].model" → 1 */
function variantIndex(path: string | undefined): number | null {
  const match = path?.match(/^variants(?:\.|\[)(\d+)/);
  return match ? Number(match[1]) : null;
}

export function NewRunForm(props: {
  suites: SuiteOption[];
  prompts: PromptOption[];
  connections: ConnectionOption[];
  initialSuiteId: string | null;
  initialPromptId: string | null;
}) {
  const inWorkspace = useWorkspacePath();
  const router = useRouter();
  const localConnection = props.connections.find((connection) => connection.kind === "local") ?? props.connections[0];
  const [suiteId, setSuiteId] = useState(props.initialSuiteId ?? props.suites[0]?.id ?? "");
  const [name, setName] = useState("");
  const [variants, setVariants] = useState<VariantDraft[]>(() => {
    const prompt = props.prompts.find((item) => item.id === props.initialPromptId) ?? props.prompts[0];
    return [
      {
        key: nextKey(),
        label: "",
        promptId: prompt?.id ?? "",
        ref: defaultRef(prompt),
        connectionId: localConnection?.id ?? null,
        model: localConnection?.models[0]?.name ?? null,
        temperature: "",
        maxTokens: "",
        topP: "",
        seed: "",
        extraParams: {},
      },
    ];
  });
  const [repeats, setRepeats] = useState("1");
  const [concurrency, setConcurrency] = useState("10");
  const [cache, setCache] = useState(false);
  const [timeoutMs, setTimeoutMs] = useState("");
  const [maxRetries, setMaxRetries] = useState("3");
  const [judge, setJudge] = useState<{ connectionId: string | null; model: string | null }>({ connectionId: null, model: null });
  const [tags, setTags] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [variantProblems, setVariantProblems] = useState<Record<number, string[]>>({});
  const [busy, setBusy] = useState(false);

  const suite = props.suites.find((item) => item.id === suiteId);

  // A version's own default model and parameters are filled in when it is chosen.
  const loaded = useRef(new Set<string>());
  // The version each variant last asked defaults for: an older answer arriving later (the first prompt's, loaded on
  // mount, after the user picked another) must not overwrite the newer one.
  const latestDefaults = useRef(new Map<string, string>());
  async function applyVersionDefaults(key: string, promptId: string, ref: string) {
    const resolved = resolveRef(props.prompts.find((item) => item.id === promptId), ref);
    if (!resolved) return;
    latestDefaults.current.set(key, resolved.versionId);
    try {
      const version = await api<VersionDefaults>(`/api/prompts/${promptId}/versions/${resolved.versionId}`);
      if (latestDefaults.current.get(key) !== resolved.versionId) return;
      const { temperature, maxTokens, topP, seed, ...extraParams } = version.params;
      setVariants((current) =>
        current.map((draft) => {
          if (draft.key !== key) return draft;
          const connection = props.connections.find((item) => item.id === version.connectionId);
          const hasModel = connection?.models.some((model) => model.name === version.model);
          return {
            ...draft,
            ...(connection && hasModel ? { connectionId: connection.id, model: version.model } : {}),
            temperature: text(temperature),
            maxTokens: text(maxTokens),
            topP: text(topP),
            seed: text(seed),
            extraParams,
          };
        }),
      );
    } catch (caught) {
      setError(`Could not load the version's defaults: ${errorText(caught)}`);
    }
  }
  useEffect(() => {
    for (const draft of variants) {
      if (loaded.current.has(draft.key) || !draft.ref) continue;
      loaded.current.add(draft.key);
      void applyVersionDefaults(draft.key, draft.promptId, draft.ref);
    }
    // Runs once, for the first variant; later choices call applyVersionDefaults directly.
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  function patch(index: number, change: Partial<VariantDraft>) {
    setVariants((current) => current.map((draft, position) => (position === index ? { ...draft, ...change } : draft)));
  }

  function choosePrompt(index: number, promptId: string, ref: string) {
    const prompt = props.prompts.find((item) => item.id === promptId);
    const chosen = ref || defaultRef(prompt);
    const draft = variants[index];
    if (!draft) return;
    patch(index, { promptId, ref: chosen });
    void applyVersionDefaults(draft.key, promptId, chosen);
  }

  const repeatCount = Math.max(1, Number(repeats) || 1);
  const cells = (suite?.caseCount ?? 0) * variants.length * repeatCount;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setVariantProblems({});
    const problems: Record<number, string[]> = {};
    const specs = variants.map((draft, index) => {
      const resolved = resolveRef(props.prompts.find((item) => item.id === draft.promptId), draft.ref);
      if (!resolved) (problems[index] ??= []).push("Choose a prompt version.");
      if (!draft.connectionId || !draft.model) (problems[index] ??= []).push("Choose a connection and a model.");
      const params = {
        ...draft.extraParams,
        temperature: numberOrUndefined(draft.temperature),
        maxTokens: numberOrUndefined(draft.maxTokens),
        topP: numberOrUndefined(draft.topP),
        seed: numberOrUndefined(draft.seed),
      };
      return {
        label: draft.label.trim() || autoLabel(props.prompts, draft) || undefined,
        versionId: resolved?.versionId,
        connectionId: draft.connectionId ?? undefined,
        model: draft.model ?? "",
        params: Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)),
      };
    });
    if (Object.keys(problems).length > 0) {
      setVariantProblems(problems);
      setError("Some variants are incomplete.");
      return;
    }
    const tagList = tags.split(",").map((tag) => tag.trim()).filter((tag) => tag !== "");
    const body = {
      suiteId,
      ...(name.trim() ? { name: name.trim() } : {}),
      variants: specs,
      repeats: numberOrUndefined(repeats),
      concurrency: numberOrUndefined(concurrency),
      cache,
      ...(timeoutMs.trim() ? { timeoutMs: numberOrUndefined(timeoutMs) } : {}),
      maxRetries: numberOrUndefined(maxRetries),
      ...(judge.connectionId && judge.model ? { judge: { connectionId: judge.connectionId, model: judge.model } } : {}),
      ...(tagList.length > 0 ? { tags: tagList } : {}),
    };
    setBusy(true);
    try {
      const created = await api<{ id: string }>("/api/runs", { body });
      router.push(inWorkspace(`/runs/${created.id}`));
    } catch (caught) {
      if (caught instanceof ApiError) {
        const located: Record<number, string[]> = {};
        for (const detail of caught.details) {
          const index = variantIndex(detail.path);
          if (index !== null) (located[index] ??= []).push(detail.path ? `${detail.path.replace(/^variants(\.|\[)\d+\]?\.?/, "") || "variant"}: ${detail.message}` : detail.message);
        }
        setVariantProblems(located);
      }
      setError(errorText(caught));
      setBusy(false);
    }
  }

  if (props.suites.length === 0) {
    return (
      <div className="p-6">
        <div className="card p-10 text-center text-sm text-slate-500">
          A run needs a suite of cases. <Link href={inWorkspace("/suites")} className="font-medium text-brand-700 hover:underline">Create a suite</Link> first.
        </div>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="mx-auto max-w-5xl space-y-5 p-6" data-testid="new-run-form">
      <section className="card grid grid-cols-1 gap-4 p-4 md:grid-cols-3">
        <label className="block md:col-span-1">
          <span className="label">Suite</span>
          <select className="input" value={suiteId} onChange={(event) => setSuiteId(event.target.value)} data-testid="run-suite">
            {props.suites.map((item) => <option key={item.id} value={item.id}>{item.name} ({formatCount(item.caseCount)} cases)</option>)}
          </select>
        </label>
        <label className="block">
          <span className="label">Only cases tagged (optional, comma separated)</span>
          <input className="input" value={tags} onChange={(event) => setTags(event.target.value)} placeholder="every case" data-testid="run-tags" />
        </label>
        <label className="block">
          <span className="label">Run name (optional)</span>
          <input className="input" value={name} onChange={(event) => setName(event.target.value)} placeholder="e.g. temperature 0 vs 0.7" data-testid="run-name" />
        </label>
      </section>

      <section className="space-y-3">
        <div className="flex items-end justify-between">
          <div>
            <h2 className="text-sm font-semibold">Variants</h2>
            <p className="text-xs text-slate-500">Each variant is a prompt version on a model with parameters: one column of the results grid.</p>
          </div>
          <button
            type="button"
            className="btn"
            onClick={() => {
              const last = variants.at(-1);
              if (last) setVariants([...variants, { ...last, key: nextKey(), label: "" }]);
            }}
            disabled={variants.length >= 50}
            data-testid="add-variant"
          >
            + Variant
          </button>
        </div>
        {variants.map((draft, index) => (
          <VariantEditor
            key={draft.key}
            index={index}
            draft={draft}
            prompts={props.prompts}
            connections={props.connections}
            problems={variantProblems[index] ?? []}
            canRemove={variants.length > 1}
            onChange={(change) => patch(index, change)}
            onPromptChange={(promptId, ref) => choosePrompt(index, promptId, ref)}
            onDuplicate={() => setVariants([...variants.slice(0, index + 1), { ...draft, key: nextKey(), label: "" }, ...variants.slice(index + 1)])}
            onRemove={() => setVariants(variants.filter((_, position) => position !== index))}
          />
        ))}
      </section>

      <section className="card space-y-4 p-4">
        <h2 className="text-sm font-semibold">Execution</h2>
        <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
          <label className="block">
            <span className="label">Repeats per case</span>
            <input className="input" inputMode="numeric" value={repeats} onChange={(event) => setRepeats(event.target.value)} data-testid="run-repeats" />
          </label>
          <label className="block">
            <span className="label">Concurrency (calls in flight)</span>
            <input className="input" inputMode="numeric" value={concurrency} onChange={(event) => setConcurrency(event.target.value)} data-testid="run-concurrency" />
          </label>
          <label className="block">
            <span className="label">Timeout per call (ms)</span>
            <input className="input" inputMode="numeric" value={timeoutMs} placeholder="connection's" onChange={(event) => setTimeoutMs(event.target.value)} />
          </label>
          <label className="block">
            <span className="label">Retries after a failed call</span>
            <input className="input" inputMode="numeric" value={maxRetries} onChange={(event) => setMaxRetries(event.target.value)} />
          </label>
        </div>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-0.5 accent-brand-600" checked={cache} onChange={(event) => setCache(event.target.checked)} data-testid="run-cache" />
          <span>
            Reuse cached answers to identical requests
            <span className="block text-xs text-slate-500">Faster and cheaper for re-runs; cached results are flagged and left out of latency figures. Leave off when measuring latency.</span>
          </span>
        </label>
        <div>
          <span className="label">Judge model for llm-rubric assertions {suite?.usesJudge ? <span className="text-amber-700">(this suite uses llm-rubric)</span> : "(optional)"}</span>
          <div className="max-w-xl">
            <ModelPicker connections={props.connections} connectionId={judge.connectionId} model={judge.model} onChange={(connectionId, model) => setJudge({ connectionId, model })} testId="run-judge" />
          </div>
        </div>
      </section>

      {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="run-error">{error}</p>}
      <div className="sticky bottom-0 -mx-6 flex items-center justify-between gap-4 border-t border-slate-200 bg-white/95 px-6 py-3 backdrop-blur">
        <span className="text-sm text-slate-600" data-testid="run-cells">
          {formatCount(variants.length)} variant{variants.length === 1 ? "" : "s"} × {formatCount(suite?.caseCount ?? 0)} cases{tags.trim() ? " (before the tag filter)" : ""} × {formatCount(repeatCount)} repeat{repeatCount === 1 ? "" : "s"} = <strong>{formatCount(cells)}</strong> calls
        </span>
        <button className="btn-primary" disabled={busy || !suiteId || (suite?.caseCount ?? 0) === 0} data-testid="start-run">
          {busy ? "Starting…" : "▶ Start run"}
        </button>
      </div>
      {suite && suite.caseCount === 0 && <p className="text-sm text-amber-700">This suite has no cases yet: <Link className="underline" href={inWorkspace(`/suites/${suite.id}`)}>add or import some</Link>.</p>}
    </form>
  );
}
