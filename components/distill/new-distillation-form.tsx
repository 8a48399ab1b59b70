"use client";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { FieldError } from "@/components/releases/field-error";
import { fieldErrorsOf, type FieldErrors } from "@/components/releases/field-errors";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import type { TeacherPromptOption } from "@/lib/distill/form-options";
import { formatCount } from "@/lib/format";
import { api, ApiError, errorText } from "@/lib/ui/api";
import { formatOf, previewUpload, type UploadPreview } from "./upload-preview";

// A new distillation: the teacher (a prompt version or label × a connection's model), the dataset (a suite, the
// prompt's stored calls, uploaded rows), the student kind, the held-out share and the cascade's target agreement.
// POST /api/distillations; a 400 names its field and the message shows next to it.

export interface SuiteOption {
  id: string;
  name: string;
  caseCount: number;
}

export interface ConnectionOption {
  id: string;
  name: string;
  models: string[];
}

export const LM_WARNING =
  "A model trained here from a tiny base only learns short templated outputs; start from your own base GGUF.";

/** A 400 names its fields (zod paths, or the service's subject); a 409 (a name taken) is shown in full at its subject. */
export function formErrorsOf(error: unknown): FieldErrors {
  if (error instanceof ApiError && error.status === 409 && error.subject) return new Map([[error.subject, [error.message]]]);
  return fieldErrorsOf(error);
}

function Section(props: { title: string; hint?: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="card p-5" data-testid={props.testId}>
      <h2 className="text-sm font-semibold text-slate-800">{props.title}</h2>
      {props.hint && <p className="mt-0.5 text-xs text-slate-500">{props.hint}</p>}
      <div className="mt-3">{props.children}</div>
    </section>
  );
}

function PreviewTable({ preview }: { preview: UploadPreview }) {
  return (
    <div className="mt-2 space-y-2" data-testid="upload-preview">
      <p className="text-xs text-slate-600">
        {formatCount(preview.count)} row{preview.count === 1 ? "" : "s"} read from the {preview.format.toUpperCase()}
        {preview.errors.length > 0 && <span className="text-red-700"> · {formatCount(preview.errors.length)} bad</span>}
      </p>
      {preview.rows.length > 0 && (
        <div className="max-h-48 overflow-auto rounded-md border border-slate-200">
          <table className="w-full text-xs">
            <thead className="bg-slate-50 text-left text-slate-500">
              <tr>{preview.columns.map((column) => <th key={column} className="px-2 py-1 font-mono font-medium">{column}</th>)}</tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {preview.rows.map((row, index) => (
                <tr key={index}>
                  {preview.columns.map((column) => (
                    <td key={column} className="max-w-xs truncate px-2 py-1 text-slate-700">{typeof row[column] === "string" ? (row[column] as string) : JSON.stringify(row[column] ?? "")}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.errors.length > 0 && (
        <ul className="space-y-0.5 text-xs text-red-700" data-testid="upload-errors">
          {preview.errors.slice(0, 10).map((error) => (
            <li key={`${error.row}-${error.message}`}>{preview.format === "jsonl" ? "line" : "row"} {error.row}: {error.message}</li>
          ))}
          {preview.errors.length > 10 && <li>… and {formatCount(preview.errors.length - 10)} more</li>}
        </ul>
      )}
    </div>
  );
}

export function NewDistillationForm(props: {
  prompts: TeacherPromptOption[];
  suites: SuiteOption[];
  connections: ConnectionOption[];
  /** the Local models connection's models: the bases an lm student can start from */
  localModels: string[];
  initialPromptId: string | null;
  initialVersionId: string | null;
}) {
  const router = useRouter();
  const inWorkspace = useWorkspacePath();
  const initialPrompt = props.prompts.find((prompt) => prompt.id === props.initialPromptId || prompt.name === props.initialPromptId) ?? props.prompts[0];
  const [promptId, setPromptId] = useState(initialPrompt?.id ?? "");
  const prompt = props.prompts.find((item) => item.id === promptId);
  // "v:<versionId>" or "l:<label>"
  const initialVersion = initialPrompt?.versions.find((version) => version.id === props.initialVersionId);
  const defaultPick = (item: TeacherPromptOption | undefined) =>
    item?.labels.some((label) => label.name === "production") ? "l:production" : item?.versions[0] ? `v:${item.versions[0].id}` : "";
  const [pick, setPick] = useState(initialVersion ? `v:${initialVersion.id}` : defaultPick(initialPrompt));
  const pickedVersion = pick.startsWith("v:")
    ? prompt?.versions.find((version) => version.id === pick.slice(2))
    : prompt?.versions.find((version) => version.number === prompt.labels.find((label) => label.name === pick.slice(2))?.versionNumber);
  const initialConnection = props.connections.find((item) => item.id === pickedVersion?.connectionId) ?? props.connections.find((item) => item.models.length > 0) ?? props.connections[0];
  const [connectionId, setConnectionId] = useState(initialConnection?.id ?? "");
  const [model, setModel] = useState(pickedVersion?.model ?? initialConnection?.models[0] ?? "");
  const connection = props.connections.find((item) => item.id === connectionId);

  const [name, setName] = useState(initialPrompt ? `${initialPrompt.name}-student` : "");
  const [suiteId, setSuiteId] = useState(props.suites[0]?.id ?? "");
  const [useCalls, setUseCalls] = useState(false);
  const [calls, setCalls] = useState("1000");
  const [upload, setUpload] = useState<{ fileName: string; text: string; format: "csv" | "jsonl" } | null>(null);
  const preview = useMemo(() => (upload ? previewUpload(upload.text, upload.format) : null), [upload]);
  const [studentKind, setStudentKind] = useState<"classifier" | "lm">("classifier");
  const [baseModel, setBaseModel] = useState(props.localModels[0] ?? "");
  const [epochs, setEpochs] = useState("8");
  const [learningRate, setLearningRate] = useState("0.001");
  const [heldOut, setHeldOut] = useState("20");
  const [target, setTarget] = useState("98");
  const [submitting, setSubmitting] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [error, setError] = useState<string | null>(null);

  function choosePrompt(id: string) {
    setPromptId(id);
    const next = props.prompts.find((item) => item.id === id);
    setPick(defaultPick(next));
    const version = next?.versions[0];
    if (version?.connectionId && props.connections.some((item) => item.id === version.connectionId)) {
      setConnectionId(version.connectionId);
      setModel(version.model ?? "");
    }
    if (next && (name === "" || name.endsWith("-student"))) setName(`${next.name}-student`);
  }

  async function readFile(file: File | undefined) {
    if (!file) {
      setUpload(null);
      return;
    }
    const text = await file.text();
    setUpload({ fileName: file.name, text, format: formatOf(file.name, text) });
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setErrors(new Map());
    setError(null);
    const teacher = pick.startsWith("l:") ? { promptId, label: pick.slice(2), connectionId, model: model.trim() } : { promptId, versionId: pick.slice(2), connectionId, model: model.trim() };
    const body = {
      name: name.trim(),
      studentKind,
      teacher,
      sources: {
        ...(suiteId ? { suiteId } : {}),
        ...(useCalls ? { calls: Number(calls) } : {}),
        ...(upload ? { rows: { format: upload.format, text: upload.text } } : {}),
      },
      heldOutShare: Number(heldOut) / 100,
      targetAgreement: Number(target) / 100,
      ...(studentKind === "lm" ? { lm: { baseModel, epochs: Number(epochs), learningRate: Number(learningRate) } } : {}),
    };
    try {
      const { id } = await api<{ id: string }>("/api/distillations", { body });
      router.push(inWorkspace(`/distill/${id}`));
    } catch (caught) {
      const fields = formErrorsOf(caught);
      setErrors(fields);
      // what no field shows goes at the bottom, in full
      const placed = ["name", "studentKind", "teacher", "sources", "heldOutShare", "targetAgreement", "lm", "seed"];
      const unplaced = [...fields.keys()].some((key) => !placed.some((path) => key === path || key.startsWith(`${path}.`)));
      if (fields.size === 0 || unplaced) setError(errorText(caught));
      setSubmitting(false);
    }
  }

  if (props.prompts.length === 0) {
    return (
      <div className="card mx-auto max-w-xl p-8 text-center" data-testid="distill-no-prompts">
        <h2 className="text-base font-semibold">No prompt to distill yet</h2>
        <p className="mt-1 text-sm text-slate-600">A distillation starts from a prompt that works on a hosted model: create one under Prompts first.</p>
      </div>
    );
  }
  const noSource = !suiteId && !useCalls && !upload;
  return (
    <form onSubmit={submit} className="mx-auto max-w-4xl space-y-4 p-6" data-testid="distill-form" noValidate>
      <Section title="Teacher" hint="The prompt and model whose answers the student learns. Its calls go through the run engine, with its limits, retries and progress." testId="distill-teacher">
        <div className="grid gap-3 sm:grid-cols-2">
          <label className="block">
            <span className="label">Prompt</span>
            <select className="input" value={promptId} onChange={(event) => choosePrompt(event.target.value)} data-testid="distill-prompt">
              {props.prompts.map((item) => <option key={item.id} value={item.id}>{item.name}</option>)}
            </select>
            <FieldError errors={errors} paths={["teacher.promptId"]} />
          </label>
          <label className="block">
            <span className="label">Version or label</span>
            <select className="input" value={pick} onChange={(event) => setPick(event.target.value)} data-testid="distill-version">
              {prompt && prompt.labels.length > 0 && (
                <optgroup label="Labels (the version they point to now)">
                  {prompt.labels.map((label) => <option key={label.name} value={`l:${label.name}`}>{label.name} → v{label.versionNumber}</option>)}
                </optgroup>
              )}
              <optgroup label="Versions">
                {prompt?.versions.map((version) => (
                  <option key={version.id} value={`v:${version.id}`}>v{version.number}{version.commitMessage ? ` — ${version.commitMessage}` : ""}</option>
                ))}
              </optgroup>
            </select>
            <FieldError errors={errors} paths={["teacher.versionId", "teacher.label"]} />
          </label>
          <label className="block">
            <span className="label">Connection</span>
            <select className="input" value={connectionId} onChange={(event) => { setConnectionId(event.target.value); setModel(props.connections.find((item) => item.id === event.target.value)?.models[0] ?? ""); }} data-testid="distill-connection">
              {props.connections.length === 0 && <option value="">No connections yet</option>}
              {props.connections.map((item) => <option key={item.id} value={item.id}>{item.name}</option>)}
            </select>
            <FieldError errors={errors} paths={["teacher.connectionId"]} />
          </label>
          <label className="block">
            <span className="label">Model</span>
            <input className="input" list="distill-models" value={model} onChange={(event) => setModel(event.target.value)} data-testid="distill-model" />
            <datalist id="distill-models">{connection?.models.map((item) => <option key={item} value={item} />)}</datalist>
            <FieldError errors={errors} paths={["teacher.model"]} />
          </label>
        </div>
        <FieldError errors={errors} paths={["teacher"]} exact />
      </Section>

      <Section title="Dataset" hint="The inputs the teacher answers. One source is enough; several are merged into a new suite “distill · <name>”." testId="distill-dataset">
        <div className="space-y-4">
          <label className="block max-w-md">
            <span className="label">Suite</span>
            <select className="input" value={suiteId} onChange={(event) => setSuiteId(event.target.value)} data-testid="distill-suite">
              <option value="">No suite</option>
              {props.suites.map((item) => <option key={item.id} value={item.id}>{item.name} ({formatCount(item.caseCount)} cases)</option>)}
            </select>
            <FieldError errors={errors} paths={["sources.suiteId"]} />
          </label>
          <div>
            <label className="flex items-start gap-2 text-sm text-slate-700">
              <input type="checkbox" className="mt-1" checked={useCalls} onChange={(event) => setUseCalls(event.target.checked)} disabled={!prompt || prompt.storedCalls === 0} data-testid="distill-use-calls" />
              <span>
              Include the prompt&apos;s stored calls
              <span className="block text-xs text-slate-500" data-testid="distill-calls-count">
                ({prompt && prompt.storedCalls > 0 ? `${formatCount(prompt.storedCalls)} from the playground and the gateway; their variables become cases, newest first, duplicates once` : "this prompt has no stored calls"})
              </span>
              </span>
            </label>
            {useCalls && (
              <label className="mt-2 block max-w-[12rem]">
                <span className="label">At most</span>
                <input className="input" type="number" min={1} max={10000} value={calls} onChange={(event) => setCalls(event.target.value)} data-testid="distill-calls" />
              </label>
            )}
            <FieldError errors={errors} paths={["sources.calls"]} />
          </div>
          <div>
            <span className="label">More inputs from a file (CSV with a header, or JSONL; one column or key per template variable, optionally “expected”)</span>
            <input type="file" accept=".csv,.jsonl,.json,text/csv,application/jsonl" className="block text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1 file:text-sm" onChange={(event) => readFile(event.target.files?.[0])} data-testid="distill-upload" />
            {preview && <PreviewTable preview={preview} />}
            <FieldError errors={errors} paths={["sources.rows"]} testId="distill-upload-error" />
          </div>
          <FieldError errors={errors} paths={["sources"]} exact />
          {noSource && <p className="text-xs text-amber-700">Choose at least one source.</p>}
        </div>
      </Section>

      <Section title="Student" testId="distill-student">
        <div className="space-y-3">
          <div className="grid gap-2 sm:grid-cols-2" role="radiogroup" aria-label="Student kind">
            <label className={`flex cursor-pointer gap-2 rounded-md border p-3 text-sm ${studentKind === "classifier" ? "border-brand-500 bg-brand-50" : "border-slate-200"}`}>
              <input type="radio" name="kind" checked={studentKind === "classifier"} onChange={() => setStudentKind("classifier")} data-testid="distill-kind-classifier" />
              <span>
                <span className="font-medium text-slate-800">Classifier</span>
                <span className="block text-xs text-slate-600">For labels and JSON with enumerated or boolean fields. Trains in seconds; answers in about a millisecond with the class probability as its confidence.</span>
              </span>
            </label>
            <label className={`flex cursor-pointer gap-2 rounded-md border p-3 text-sm ${studentKind === "lm" ? "border-amber-500 bg-amber-50" : "border-slate-200"}`}>
              <input type="radio" name="kind" checked={studentKind === "lm"} onChange={() => setStudentKind("lm")} data-testid="distill-kind-lm" />
              <span>
                <span className="font-medium text-slate-800">Language model <span className="badge ml-1 bg-amber-100 text-amber-800">experimental</span></span>
                <span className="block text-xs text-slate-600">For free text: fine-tunes a local GGUF model on the teacher&apos;s input → output pairs with llama.cpp.</span>
              </span>
            </label>
          </div>
          <FieldError errors={errors} paths={["studentKind"]} />
          {studentKind === "lm" && (
            <div className="space-y-3 rounded-md border border-amber-200 bg-amber-50 p-3" data-testid="distill-lm">
              <p className="text-sm text-amber-900" role="note" data-testid="distill-lm-warning">{LM_WARNING}</p>
              <div className="grid gap-3 sm:grid-cols-3">
                <label className="block">
                  <span className="label">Base model (a local model)</span>
                  <input className="input" list="distill-local-models" value={baseModel} onChange={(event) => setBaseModel(event.target.value)} data-testid="distill-lm-base" />
                  <datalist id="distill-local-models">{props.localModels.map((item) => <option key={item} value={item} />)}</datalist>
                  <FieldError errors={errors} paths={["lm.baseModel"]} />
                </label>
                <label className="block">
                  <span className="label">Epochs</span>
                  <input className="input" type="number" min={1} value={epochs} onChange={(event) => setEpochs(event.target.value)} />
                  <FieldError errors={errors} paths={["lm.epochs"]} />
                </label>
                <label className="block">
                  <span className="label">Learning rate</span>
                  <input className="input" type="number" step="any" min={0} value={learningRate} onChange={(event) => setLearningRate(event.target.value)} />
                  <FieldError errors={errors} paths={["lm.learningRate"]} />
                </label>
              </div>
              <FieldError errors={errors} paths={["lm"]} exact />
            </div>
          )}
          <div className="grid gap-3 sm:grid-cols-3">
            <label className="block">
              <span className="label">Name</span>
              <input className="input font-mono" value={name} onChange={(event) => setName(event.target.value)} placeholder="sentiment-small" data-testid="distill-name" />
              <span className="mt-0.5 block text-xs text-slate-500">served as <code className="kbd">student:{name || "…"}</code></span>
              <FieldError errors={errors} paths={["name"]} />
            </label>
            <label className="block">
              <span className="label">Held out (%)</span>
              <input className="input" type="number" min={5} max={50} value={heldOut} onChange={(event) => setHeldOut(event.target.value)} data-testid="distill-held-out" />
              <span className="mt-0.5 block text-xs text-slate-500">never trained on; the report is measured on them</span>
              <FieldError errors={errors} paths={["heldOutShare"]} />
            </label>
            <label className="block">
              <span className="label">Target agreement (%)</span>
              <input className="input" type="number" min={50} max={100} step={0.1} value={target} onChange={(event) => setTarget(event.target.value)} data-testid="distill-target" />
              <span className="mt-0.5 block text-xs text-slate-500">the cascade&apos;s threshold is picked for it</span>
              <FieldError errors={errors} paths={["targetAgreement"]} />
            </label>
          </div>
        </div>
      </Section>

      {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="distill-error">{error}</p>}
      <FieldError errors={errors} paths={["seed"]} />
      <div className="flex items-center gap-3">
        <button className="btn-primary" type="submit" disabled={submitting || noSource || !promptId || !connectionId || !model.trim() || !name.trim()} data-testid="start-distillation">
          {submitting ? "Starting…" : "Start distillation"}
        </button>
        <span className="text-xs text-slate-500">The teacher run appears under Runs; training starts when it ends.</span>
      </div>
    </form>
  );
}
