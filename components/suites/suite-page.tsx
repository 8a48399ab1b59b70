"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState, type FormEvent } from "react";
import { api, ApiError, errorText } from "@/lib/ui/api";
import { formatCount, formatTime } from "@/lib/format";
import { AssertionsEditor, draftsToAssertions, mapServerProblems, type ProblemMap } from "./assertions-editor";
import { toDraft, type AssertionDraft } from "./assertion-fields";
import { CasesTable } from "./cases-table";
import type { CasePageView, SuiteView } from "./types";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

type Tab = "cases" | "assertions" | "settings";

export function SuitePage(props: { suite: SuiteView; cases: CasePageView; canWrite: boolean; canRun: boolean }) {
  const inWorkspace = useWorkspacePath();
  const [suite, setSuite] = useState(props.suite);
  const [tab, setTab] = useState<Tab>("cases");
  const onCountChange = useCallback((caseCount: number) => setSuite((current) => ({ ...current, caseCount })), []);

  const tabs: { id: Tab; label: string }[] = [
    { id: "cases", label: `Cases (${formatCount(suite.caseCount)})` },
    { id: "assertions", label: `Default assertions (${suite.assertions.length})` },
    { id: "settings", label: "Settings" },
  ];

  return (
    <div className="space-y-4 p-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <nav className="flex gap-1 rounded-lg border border-slate-200 bg-white p-1" aria-label="Suite sections">
          {tabs.map((item) => (
            <button
              key={item.id}
              className={`rounded-md px-3 py-1 text-sm ${tab === item.id ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
              onClick={() => setTab(item.id)}
              data-testid={`tab-${item.id}`}
            >
              {item.label}
            </button>
          ))}
        </nav>
        <div className="flex items-center gap-3 text-xs text-slate-500">
          <span>Updated {formatTime(suite.updatedAt)}</span>
          {props.canRun && <Link href={inWorkspace(`/runs/new?suite=${suite.id}`)} className="btn-primary" data-testid="run-suite">▶ Run this suite</Link>}
        </div>
      </div>
      {/* Kept mounted, so switching tabs keeps the page of cases and any unsaved assertion edits. */}
      <div hidden={tab !== "cases"}>
        <CasesTable suiteId={suite.id} initial={props.cases} canWrite={props.canWrite} onCountChange={onCountChange} />
      </div>
      <div hidden={tab !== "assertions"}>
        <DefaultAssertions suite={suite} canWrite={props.canWrite} onSaved={setSuite} />
      </div>
      <div hidden={tab !== "settings"}>
        <SuiteSettings suite={suite} canWrite={props.canWrite} onSaved={setSuite} />
      </div>
    </div>
  );
}

function builtJson(drafts: AssertionDraft[]): string | null {
  const built = draftsToAssertions(drafts);
  return "assertions" in built ? JSON.stringify(built.assertions) : null;
}

function DefaultAssertions(props: { suite: SuiteView; canWrite: boolean; onSaved: (suite: SuiteView) => void }) {
  const [drafts, setDrafts] = useState<AssertionDraft[]>(() => props.suite.assertions.map(toDraft));
  // Compared through the form's own conversion, so a stored `weight: 1` or key order does not count as a change.
  const [saved, setSaved] = useState(() => builtJson(props.suite.assertions.map(toDraft)));
  const [problems, setProblems] = useState<ProblemMap>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const current = useMemo(() => builtJson(drafts), [drafts]);
  const dirty = current !== saved;

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setNotice(null);
    const built = draftsToAssertions(drafts);
    if ("problems" in built) {
      setProblems(built.problems);
      setError("Fix the highlighted fields.");
      return;
    }
    setBusy(true);
    try {
      const suite = await api<SuiteView>(`/api/suites/${props.suite.id}`, { method: "PATCH", body: { assertions: built.assertions } });
      setProblems({});
      const fresh = suite.assertions.map(toDraft);
      setSaved(builtJson(fresh));
      setDrafts(fresh);
      props.onSaved(suite);
      setNotice("Saved. New runs use these assertions; finished runs keep the ones they ran with.");
    } catch (caught) {
      if (caught instanceof ApiError) {
        const { map, unplaced } = mapServerProblems(caught.details, drafts);
        setProblems(map);
        setError(unplaced.length > 0 || Object.keys(map).length === 0 ? errorText(caught) : "The server rejected the highlighted fields.");
      } else setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} className="card space-y-3 p-4" data-testid="default-assertions">
      <div>
        <h2 className="text-sm font-semibold">Default assertions</h2>
        <p className="text-xs text-slate-500">
          Checked on every case of the suite, together with the case’s own assertions. A case passes when all pass; its score is the
          weighted mean of their scores. <code className="kbd">not</code> negates a check; a threshold sets the limit where a type has one.
          Add a <code className="kbd">label</code> assertion to get accuracy, per-class precision/recall/F1 and a confusion matrix on runs.
        </p>
      </div>
      <AssertionsEditor
        drafts={drafts}
        onChange={(next) => {
          setDrafts(next);
          setNotice(null);
        }}
        problems={problems}
        disabled={!props.canWrite}
        testId="suite-assertions"
        emptyText="No default assertions: cases are checked only by their own assertions."
      />
      {error && <p role="alert" className="whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="assertions-error">{error}</p>}
      {notice && <p className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800" data-testid="assertions-saved">{notice}</p>}
      {props.canWrite && (
        <div className="flex items-center gap-2">
          <button className="btn-primary" disabled={busy || !dirty} data-testid="save-assertions">{busy ? "Saving…" : "Save default assertions"}</button>
          {dirty && (
            <button type="button" className="btn" onClick={() => { setDrafts(props.suite.assertions.map(toDraft)); setProblems({}); setError(null); }}>
              Discard changes
            </button>
          )}
        </div>
      )}
    </form>
  );
}

function SuiteSettings(props: { suite: SuiteView; canWrite: boolean; onSaved: (suite: SuiteView) => void }) {
  const inWorkspace = useWorkspacePath();
  const router = useRouter();
  const [name, setName] = useState(props.suite.name);
  const [description, setDescription] = useState(props.suite.description);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const suite = await api<SuiteView>(`/api/suites/${props.suite.id}`, { method: "PATCH", body: { name, description } });
      props.onSaved(suite);
      setNotice("Saved.");
      router.refresh();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    const count = props.suite.caseCount;
    if (!window.confirm(`Delete the suite "${props.suite.name}" and its ${count} case${count === 1 ? "" : "s"}? Run results for these cases are deleted too; this cannot be undone.`)) return;
    try {
      await api(`/api/suites/${props.suite.id}`, { method: "DELETE" });
      router.push(inWorkspace("/suites"));
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  return (
    <div className="space-y-4">
      <form onSubmit={save} className="card space-y-3 p-4">
        <h2 className="text-sm font-semibold">Name and description</h2>
        <label className="block max-w-md">
          <span className="label">Name</span>
          <input className="input" value={name} onChange={(event) => setName(event.target.value)} disabled={!props.canWrite} data-testid="rename-suite" />
        </label>
        <label className="block">
          <span className="label">Description</span>
          <textarea className="input" rows={3} value={description} onChange={(event) => setDescription(event.target.value)} disabled={!props.canWrite} />
        </label>
        {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
        {notice && <p className="text-sm text-emerald-700">{notice}</p>}
        {props.canWrite && (
          <button className="btn-primary" disabled={busy || (name === props.suite.name && description === props.suite.description)}>
            {busy ? "Saving…" : "Save"}
          </button>
        )}
      </form>
      {props.canWrite && (
        <div className="card flex items-center justify-between gap-4 border-red-200 p-4">
          <div>
            <h2 className="text-sm font-semibold text-red-800">Delete this suite</h2>
            <p className="text-xs text-slate-500">Deletes its cases and the run results recorded for them. Runs stay listed, without a suite.</p>
          </div>
          <button className="btn-danger" onClick={remove} data-testid="delete-suite">Delete suite</button>
        </div>
      )}
    </div>
  );
}
