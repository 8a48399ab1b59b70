"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import Link from "next/link";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { AuditTimeline } from "@/components/reviews/audit-timeline";
import { can, refusal, type Role } from "@/lib/auth/permissions";
import { api, errorText } from "@/lib/ui/api";
import { CommentThread } from "@/components/comments/comment-thread";
import { ExamplesEditor } from "./examples-editor";
import { HistoryPanel } from "./history-panel";
import { MessagesEditor } from "./messages-editor";
import { ParamsEditor } from "./params-editor";
import { PlaygroundPanel } from "./playground-panel";
import { PreviewPanel, ProblemsList, TokenMeter } from "./preview-panel";
import { TestInputPicker, TestInputsEditor, variablesAsText } from "./test-inputs";
import { VersionsPanel } from "./versions-panel";
import type { CallView, ConnectionOption, Draft, PreviewResult, VersionFull, VersionSummary } from "./types";
import { ShareButton, type SharePolicy } from "@/components/share/share-button";

type Tab = "playground" | "preview" | "versions" | "history" | "comments" | "audit";

function draftOf(version: VersionFull): Draft {
  return {
    messages: version.messages,
    examples: version.examples,
    counterexamples: version.counterexamples,
    // an older stored version (or a view built before test inputs existed) has none
    testInputs: (version.testInputs ?? []).map((input) => ({ name: input.name, variables: variablesAsText(input.variables) })),
    exampleMode: version.exampleMode,
    connectionId: version.connectionId,
    model: version.model,
    params: version.params,
  };
}

export function PromptStudio(props: {
  prompt: { id: string; name: string; description: string };
  versions: VersionSummary[];
  version: VersionFull;
  connections: ConnectionOption[];
  role: Role;
  /** the workspace's share-link policy: with it, "Share" makes a read-only link to the version open here */
  sharePolicy?: SharePolicy;
}) {
  // Viewers read the stored version: no draft preview (prompt.edit), no playground (model.call), fields disabled.
  const canEdit = can(props.role, "prompt.edit");
  const canRun = can(props.role, "model.call");
  const inWorkspace = useWorkspacePath();
  const tabs: Tab[] = [...(canRun ? (["playground"] as const) : []), ...(canEdit ? (["preview"] as const) : []), "versions", "history", "comments", "audit"];
  const [versions, setVersions] = useState(props.versions);
  const [base, setBase] = useState<VersionFull>(props.version);
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.version));
  // Opens with the version's first test input filled in, so Run answers on the first click.
  const [variables, setVariables] = useState<Record<string, string>>(() => draftOf(props.version).testInputs[0]?.variables ?? {});
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [previewLoading, setPreviewLoading] = useState(false);
  const [tab, setTab] = useState<Tab>(tabs[0] ?? "versions");
  const [commentCount, setCommentCount] = useState<number | null>(null);
  // An inbox link to a comment on this version (…?v=3#comment-<id>) opens the comments tab, where the thread scrolls to it.
  useEffect(() => {
    if (window.location.hash.startsWith("#comment-")) setTab("comments");
  }, []);
  const [saving, setSaving] = useState(false);
  const [commitMessage, setCommitMessage] = useState("");
  const [saveError, setSaveError] = useState<string | null>(null);
  const [historyKey, setHistoryKey] = useState(0);
  const [auditKey, setAuditKey] = useState(0);

  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(draftOf(base)), [draft, base]);
  const patch = useCallback((change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change })), []);
  const detected = preview?.variables ?? [];

  // Live preview: rendered messages, template problems, token count and cost, recomputed on the server (same code
  // path as a real call) 250 ms after the last keystroke.
  const sequence = useRef(0);
  useEffect(() => {
    if (!canEdit) return;
    const id = ++sequence.current;
    setPreviewLoading(true);
    const timer = setTimeout(async () => {
      try {
        const result = await api<PreviewResult>("/api/prompts/preview", { body: { draft, variables } });
        if (id === sequence.current) setPreview(result);
      } catch (caught) {
        if (id === sequence.current) setPreview({ messages: [], variables: [], problems: [{ message: errorText(caught) }], tokens: null, contextWindow: null, contextShare: null, inputCost: null });
      } finally {
        if (id === sequence.current) setPreviewLoading(false);
      }
    }, 250);
    return () => clearTimeout(timer);
  }, [draft, variables, canEdit]);

  async function save() {
    setSaving(true);
    setSaveError(null);
    try {
      const saved = await api<{ version: VersionFull; versions: VersionSummary[] }>(`/api/prompts/${props.prompt.id}/versions`, {
        body: { ...draft, commitMessage },
      });
      setVersions(saved.versions);
      setBase(saved.version);
      setDraft(draftOf(saved.version));
      setCommitMessage("");
    } catch (caught) {
      setSaveError(errorText(caught));
    } finally {
      setSaving(false);
    }
  }

  function openVersion(version: VersionFull) {
    if (dirty && !window.confirm("Discard the unsaved changes and open this version?")) return;
    setBase(version);
    setDraft(draftOf(version));
    const first = draftOf(version).testInputs[0];
    if (first) setVariables(first.variables);
  }

  /** Keeps the typed variables as a test input of the draft (replacing one of the same name); saved with the version. */
  function saveCurrentAsTestInput(name: string) {
    const values = Object.fromEntries(detected.map((variable) => [variable, variables[variable] ?? ""]));
    const existing = draft.testInputs.some((input) => input.name === name);
    patch({
      testInputs: existing
        ? draft.testInputs.map((input) => (input.name === name ? { name, variables: values } : input))
        : [...draft.testInputs, { name, variables: values }],
    });
  }

  const missing = detected.filter((name) => (variables[name] ?? "") === "");
  const selectedInput =
    draft.testInputs.find((input) => detected.every((name) => (input.variables[name] ?? "") === (variables[name] ?? "")))?.name ?? null;
  const blocked = preview && preview.problems.length > 0 ? "Fix the template problems before running." : null;

  return (
    <div className="grid h-[calc(100vh-73px)] grid-cols-1 lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
      <div className="space-y-6 overflow-y-auto border-r border-slate-200 bg-white p-5" data-testid="editor">
        <div className="flex items-center justify-between gap-3">
          <div className="text-sm">
            <span className="font-medium">{canEdit ? `Editing from v${base.number}` : `v${base.number}`}</span>
            {dirty ? <span className="ml-2 badge bg-amber-100 text-amber-800" data-testid="dirty">unsaved changes</span> : <span className="ml-2 text-xs text-slate-400">saved</span>}
          </div>
          <div className="flex items-center gap-3">
            {dirty && <button className="text-xs text-slate-500 hover:text-slate-800" onClick={() => setDraft(draftOf(base))}>Discard changes</button>}
            {canRun && base.examples.length + base.counterexamples.length > 0 && (
              <Link href={inWorkspace(`/compare/prune?version=${base.id}`)} className="text-xs text-slate-500 hover:text-slate-800" title={`Remove v${base.number}'s examples one at a time while the pass rate holds`} data-testid="prune-examples">
                Prune examples
              </Link>
            )}
            {props.sharePolicy && (
              <ShareButton resource="version" id={base.id} policy={props.sharePolicy} refusal={can(props.role, "shareLink.create") ? null : refusal(props.role, "shareLink.create")} />
            )}
          </div>
        </div>
        {!canEdit && <p className="rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-600" data-testid="not-allowed">{refusal(props.role, "prompt.edit")}</p>}
        <fieldset disabled={!canEdit} className="min-w-0 space-y-6">
          <MessagesEditor messages={draft.messages} onChange={(messages) => patch({ messages })} readOnly={!canEdit} />
          {preview && <ProblemsList problems={preview.problems} />}
          <ExamplesEditor
            variables={detected}
            examples={draft.examples as never}
            counterexamples={draft.counterexamples as never}
            exampleMode={draft.exampleMode}
            onChange={(change) => patch(change as Partial<Draft>)}
          />
          <TestInputsEditor variables={detected} testInputs={draft.testInputs} onChange={(testInputs) => patch({ testInputs })} />
          <ParamsEditor draft={draft} connections={props.connections} onChange={patch} />
        </fieldset>
        {canEdit && (
          <div className="sticky bottom-0 -mx-5 -mb-5 border-t border-slate-200 bg-white/95 p-4 backdrop-blur">
            <div className="flex gap-2">
              <input className="input" placeholder="What changed? (commit message)" value={commitMessage} onChange={(event) => setCommitMessage(event.target.value)} data-testid="commit-message" />
              <button className="btn-primary shrink-0" disabled={!dirty || saving || !!blocked} onClick={save} data-testid="save-version">
                {saving ? "Saving…" : `Save as v${(versions[0]?.number ?? 0) + 1}`}
              </button>
            </div>
            {saveError && <p role="alert" className="mt-2 whitespace-pre-line text-sm text-red-600">{saveError}</p>}
          </div>
        )}
      </div>

      <div className="flex min-h-0 flex-col overflow-hidden bg-slate-50">
        {(canEdit || canRun) && <div className="space-y-3 border-b border-slate-200 bg-white p-4">
          <div className="flex items-center justify-between gap-3">
            <div className="flex items-center gap-3">
              <h3 className="text-sm font-semibold">Variables</h3>
              {detected.length > 0 && (
                <TestInputPicker
                  testInputs={draft.testInputs}
                  selected={selectedInput}
                  canSave={canEdit}
                  onPick={(input) => setVariables(input.variables)}
                  onSaveCurrent={saveCurrentAsTestInput}
                />
              )}
            </div>
            {missing.length > 0 && <span className="text-xs text-amber-700">Empty: {missing.join(", ")}</span>}
          </div>
          {detected.length === 0 ? (
            <p className="text-xs text-slate-400">No {"{{ variables }}"} in the template.</p>
          ) : (
            <div className="grid grid-cols-2 gap-2" data-testid="variables">
              {detected.map((name) => (
                <label key={name} className="block">
                  <span className="label font-mono">{name}</span>
                  <textarea className="input font-mono text-xs" rows={2} value={variables[name] ?? ""} onChange={(event) => setVariables({ ...variables, [name]: event.target.value })} data-testid={`variable-${name}`} />
                </label>
              ))}
            </div>
          )}
          <TokenMeter preview={preview} model={draft.model} />
        </div>}
        <div className="flex gap-1 border-b border-slate-200 bg-white px-4" role="tablist">
          {tabs.map((name) => (
            <button
              key={name}
              role="tab"
              aria-selected={tab === name}
              onClick={() => setTab(name)}
              className={`-mb-px border-b-2 px-3 py-2 text-sm capitalize ${tab === name ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-500 hover:text-slate-800"}`}
              data-testid={`tab-${name}`}
            >
              {name}
              {name === "versions" && <span className="ml-1 text-xs text-slate-400">{versions.length}</span>}
              {name === "comments" && commentCount !== null && commentCount > 0 && <span className="ml-1 text-xs text-slate-400" data-testid="version-comment-count">{commentCount}</span>}
            </button>
          ))}
        </div>
        <div className="min-h-0 flex-1 overflow-y-auto p-4">
          {canRun && <div hidden={tab !== "playground"}>
            <PlaygroundPanel
              promptId={props.prompt.id}
              versionId={base.id}
              draft={draft}
              dirty={dirty}
              variables={variables}
              connections={props.connections}
              blocked={blocked}
              onRunFinished={() => setHistoryKey((key) => key + 1)}
            />
          </div>}
          {tab === "preview" && <PreviewPanel preview={preview} loading={previewLoading} />}
          <div hidden={tab !== "comments"}>
            <CommentThread key={base.id} targetType="version" targetId={base.id} title={`Discussion of v${base.number}`} onCountChange={setCommentCount} />
          </div>
          {tab === "versions" && (
            <VersionsPanel
              promptId={props.prompt.id}
              promptName={props.prompt.name}
              versions={versions}
              currentId={base.id}
              role={props.role}
              onOpen={openVersion}
              onVersionsChange={setVersions}
              onAudited={() => setAuditKey((key) => key + 1)}
            />
          )}
          {tab === "audit" && <AuditTimeline promptId={props.prompt.id} refreshKey={auditKey} />}
          {tab === "history" && (
            <HistoryPanel
              promptId={props.prompt.id}
              versions={versions}
              refreshKey={historyKey}
              onReuse={
                canRun
                  ? (call: CallView) => {
                      setVariables(call.variables);
                      setTab("playground");
                    }
                  : undefined
              }
            />
          )}
        </div>
      </div>
    </div>
  );
}
