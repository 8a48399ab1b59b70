"use client";
import { useState, type FormEvent } from "react";
import { api, ApiError, errorText } from "@/lib/ui/api";
import { AssertionsEditor, draftsToAssertions, mapServerProblems, type ProblemMap } from "./assertions-editor";
import { toDraft, type AssertionDraft } from "./assertion-fields";
import type { CaseView } from "./types";

/** How a variable's value is edited: strings as they are, anything else (numbers, lists, objects) as JSON. */
export function variableText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function variableValue(text: string, original: unknown): unknown {
  if (original === undefined || typeof original === "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: the field holds a plain string, which is a valid value.
    return text;
  }
}

/** Adds a case (no `existing`) or edits one, inline in the cases table. */
export function CaseEditor(props: {
  suiteId: string;
  existing: CaseView | null;
  variableNames: string[];
  onSaved: (saved: CaseView) => void;
  onCancel: () => void;
}) {
  const { existing } = props;
  const [key, setKey] = useState(existing?.key ?? "");
  const [names, setNames] = useState<string[]>(() => {
    const own = Object.keys(existing?.variables ?? {});
    return [...props.variableNames, ...own.filter((name) => !props.variableNames.includes(name))];
  });
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(existing?.variables ?? {}).map(([name, value]) => [name, variableText(value)])),
  );
  const [newName, setNewName] = useState("");
  const [expected, setExpected] = useState(existing?.expected ?? "");
  const [tags, setTags] = useState((existing?.tags ?? []).join(", "));
  const [drafts, setDrafts] = useState<AssertionDraft[]>(() => (existing?.assertions ?? []).map(toDraft));
  const [showAssertions, setShowAssertions] = useState((existing?.assertions.length ?? 0) > 0);
  const [problems, setProblems] = useState<ProblemMap>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function addVariable() {
    const name = newName.trim();
    if (name === "" || names.includes(name)) return;
    setNames([...names, name]);
    setNewName("");
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setFieldErrors({});
    const built = draftsToAssertions(drafts);
    if ("problems" in built) {
      setProblems(built.problems);
      setShowAssertions(true);
      setError("Fix the highlighted assertion fields.");
      return;
    }
    setProblems({});
    const variables: Record<string, unknown> = {};
    for (const name of names) {
      const text = values[name] ?? "";
      // A column the case never had and left blank is not a variable of this case.
      if (text === "" && !(existing && name in existing.variables)) continue;
      variables[name] = variableValue(text, existing?.variables[name]);
    }
    const body = {
      ...(key.trim() !== "" ? { key: key.trim() } : {}),
      variables,
      expected: expected === "" ? null : expected,
      tags: tags.split(/[,|]/).map((tag) => tag.trim()).filter((tag) => tag !== ""),
      assertions: built.assertions,
    };
    setBusy(true);
    try {
      const saved = existing
        ? await api<CaseView>(`/api/suites/${props.suiteId}/cases/${existing.id}`, { method: "PATCH", body })
        : await api<CaseView>(`/api/suites/${props.suiteId}/cases`, { body });
      props.onSaved(saved);
    } catch (caught) {
      if (caught instanceof ApiError) {
        const { map, unplaced } = mapServerProblems(caught.details, drafts);
        setProblems(map);
        if (Object.keys(map).length > 0) setShowAssertions(true);
        setFieldErrors(Object.fromEntries(unplaced.filter((detail) => detail.path).map((detail) => [detail.path ?? "", detail.message])));
      }
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  const testId = existing ? "case-editor" : "new-case-editor";
  return (
    <form onSubmit={save} className="space-y-3 bg-brand-50/40 p-4" data-testid={testId}>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-[12rem_minmax(0,1fr)]">
        <label className="block">
          <span className="label">Key</span>
          <input className={`input font-mono text-xs ${fieldErrors.key ? "border-red-400" : ""}`} value={key} onChange={(event) => setKey(event.target.value)} placeholder="auto: case-<n>" data-testid="case-key" />
          {fieldErrors.key && <span className="mt-0.5 block text-xs text-red-600">{fieldErrors.key}</span>}
        </label>
        <div>
          <span className="label">Variables</span>
          <div className="grid grid-cols-1 gap-2 lg:grid-cols-2">
            {names.map((name) => (
              <label key={name} className="flex items-start gap-2">
                <span className="mt-1.5 w-28 shrink-0 truncate text-right font-mono text-xs text-slate-600" title={name}>{name}</span>
                <textarea
                  className="input min-h-[34px] font-mono text-xs"
                  rows={Math.min(6, Math.max(1, (values[name] ?? "").split("\n").length))}
                  value={values[name] ?? ""}
                  onChange={(event) => setValues({ ...values, [name]: event.target.value })}
                  data-testid={`case-var-${name}`}
                />
              </label>
            ))}
            <div className="flex items-center gap-2">
              <input
                className="input w-40! font-mono text-xs"
                value={newName}
                placeholder="new variable name"
                onChange={(event) => setNewName(event.target.value)}
                onKeyDown={(event) => {
                  if (event.key === "Enter") {
                    event.preventDefault();
                    addVariable();
                  }
                }}
                data-testid="case-new-variable"
              />
              <button type="button" className="btn text-xs" onClick={addVariable} disabled={newName.trim() === ""}>+ Variable</button>
            </div>
          </div>
        </div>
      </div>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <label className="block">
          <span className="label">Expected output (optional; assertions without a value compare against it)</span>
          <textarea className="input font-mono text-xs" rows={2} value={expected} onChange={(event) => setExpected(event.target.value)} data-testid="case-expected" />
        </label>
        <label className="block">
          <span className="label">Tags (comma separated)</span>
          <input className={`input text-xs ${fieldErrors.tags ? "border-red-400" : ""}`} value={tags} onChange={(event) => setTags(event.target.value)} placeholder="smoke, edge-case" data-testid="case-tags" />
        </label>
      </div>
      <div>
        <button type="button" className="text-xs font-medium text-slate-600 hover:text-slate-900" onClick={() => setShowAssertions(!showAssertions)} data-testid="case-assertions-toggle">
          {showAssertions ? "▾" : "▸"} Assertions for this case ({drafts.length}) — added to the suite's defaults
        </button>
        {showAssertions && (
          <div className="mt-2">
            <AssertionsEditor drafts={drafts} onChange={setDrafts} problems={problems} testId="case-assertions" emptyText="Only the suite's default assertions apply to this case." />
          </div>
        )}
      </div>
      {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="case-error">{error}</p>}
      <div className="flex gap-2">
        <button className="btn-primary" disabled={busy} data-testid="save-case">{busy ? "Saving…" : existing ? "Save case" : "Add case"}</button>
        <button type="button" className="btn" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
