"use client";
import { useCallback, useEffect, useState } from "react";
import type { CommentView } from "@/lib/comments/service";
import type { CommentTargetType } from "@/lib/comments/schema";
import { formatCount, formatRelativeTime, formatTime } from "@/lib/format";
import { limits } from "@/lib/limits";
import { api, errorText } from "@/lib/ui/api";
import { CommentMarkdown } from "./markdown";
import { MentionTextarea } from "./mention-textarea";

// One discussion: a version's, a run's, a comparison's, or one case's. Oldest first, like a conversation; each comment
// carries the anchor id `comment-<id>` that inbox links end with, and the thread scrolls to it once loaded.

export interface CommentThreadProps {
  targetType: CommentTargetType;
  targetId: string;
  caseId?: string | null;
  title?: string;
  /** tighter spacing inside a side panel */
  compact?: boolean;
  onCountChange?: (count: number) => void;
}

function anchorOf(id: string) {
  return `comment-${id}`;
}

function Composer(props: {
  initial?: string;
  submitLabel: string;
  placeholder: string;
  busy: boolean;
  error: string | null;
  autoFocus?: boolean;
  onSubmit: (body: string) => Promise<boolean>;
  onCancel?: () => void;
  testId: string;
}) {
  const [body, setBody] = useState(props.initial ?? "");
  const [preview, setPreview] = useState(false);
  const over = body.trim().length > limits.commentCharacters;
  const near = body.length > limits.commentCharacters * 0.9;
  async function submit() {
    if (props.busy || body.trim() === "" || over) return;
    if (await props.onSubmit(body)) {
      setBody(props.initial === undefined ? "" : body);
      setPreview(false);
    }
  }
  return (
    <div className="space-y-1.5" data-testid={props.testId}>
      <div className="flex items-center gap-3 text-xs">
        <button type="button" className={preview ? "text-slate-500 hover:text-slate-700" : "font-semibold text-slate-800"} onClick={() => setPreview(false)}>Write</button>
        <button type="button" className={preview ? "font-semibold text-slate-800" : "text-slate-500 hover:text-slate-700"} onClick={() => setPreview(true)} data-testid="comment-preview-tab">Preview</button>
        <span className="ml-auto text-slate-400">Markdown · @ to mention · Ctrl+Enter to send</span>
      </div>
      {preview ? (
        <div className="min-h-[4.5rem] rounded-md border border-slate-200 bg-slate-50 px-2.5 py-1.5" data-testid="comment-preview">
          {body.trim() ? <CommentMarkdown body={body} /> : <p className="text-sm text-slate-400">Nothing to preview.</p>}
        </div>
      ) : (
        <MentionTextarea value={body} onChange={setBody} onSubmit={submit} placeholder={props.placeholder} autoFocus={props.autoFocus} ariaLabel={props.placeholder} testId="comment-input" />
      )}
      {props.error && <p role="alert" className="whitespace-pre-wrap rounded-md bg-red-50 px-2.5 py-1.5 text-xs text-red-700">{props.error}</p>}
      <div className="flex items-center justify-end gap-2">
        {near && (
          <span className={`mr-auto text-xs ${over ? "text-red-600" : "text-slate-500"}`}>
            {formatCount(body.trim().length)} / {formatCount(limits.commentCharacters)} characters
          </span>
        )}
        {props.onCancel && <button type="button" className="btn px-2.5 py-1 text-xs" onClick={props.onCancel}>Cancel</button>}
        <button type="button" className="btn-primary px-2.5 py-1 text-xs" disabled={props.busy || body.trim() === "" || over} onClick={submit} data-testid="comment-submit">
          {props.busy ? "Saving…" : props.submitLabel}
        </button>
      </div>
    </div>
  );
}

function CommentItem(props: { comment: CommentView; focused: boolean; onChanged: (comment: CommentView) => void; onDeleted: (id: string) => void }) {
  const { comment } = props;
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(body: string): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ comment: CommentView }>(`/api/comments/${comment.id}`, { method: "PATCH", body: { body } });
      props.onChanged(answer.comment);
      setEditing(false);
      return true;
    } catch (caught) {
      setError(errorText(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/comments/${comment.id}`, { method: "DELETE" });
      props.onDeleted(comment.id);
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <li
      id={anchorOf(comment.id)}
      className={`group scroll-mt-24 rounded-md border px-3 py-2 ${props.focused ? "border-brand-500 bg-brand-50/40 ring-2 ring-brand-100" : "border-slate-200 bg-white"}`}
      data-testid="comment"
    >
      <div className="mb-1 flex items-baseline gap-2 text-xs">
        <span className="font-semibold text-slate-800" data-testid="comment-author">{comment.author?.name ?? "former member"}</span>
        <a href={`#${anchorOf(comment.id)}`} className="text-slate-500 hover:underline" title={formatTime(comment.createdAt)}>
          {formatRelativeTime(comment.createdAt)}
        </a>
        {comment.editedAt && (
          <span className="text-slate-400" title={`edited ${formatTime(comment.editedAt)}`} data-testid="comment-edited">· edited</span>
        )}
        {!editing && !confirming && (comment.canEdit || comment.canDelete) && (
          <span className="ml-auto flex gap-2 opacity-60 group-hover:opacity-100">
            {comment.canEdit && <button type="button" className="text-slate-600 hover:text-slate-900" onClick={() => setEditing(true)} data-testid="comment-edit">Edit</button>}
            {comment.canDelete && <button type="button" className="text-red-600 hover:text-red-800" onClick={() => setConfirming(true)} data-testid="comment-delete">Delete</button>}
          </span>
        )}
      </div>
      {editing ? (
        <Composer initial={comment.body} submitLabel="Save" placeholder="Edit your comment" busy={busy} error={error} autoFocus onSubmit={save} onCancel={() => { setEditing(false); setError(null); }} testId="comment-editor" />
      ) : (
        <CommentMarkdown body={comment.body} />
      )}
      {confirming && (
        <div className="mt-2 flex items-center gap-2 rounded-md bg-red-50 px-2.5 py-1.5 text-xs text-red-800" role="alertdialog" aria-label="Delete this comment?">
          <span>Delete this comment{comment.canEdit ? "" : ` by ${comment.author?.name ?? "a former member"}`}? This cannot be undone.</span>
          <button type="button" className="btn-danger ml-auto px-2 py-0.5 text-xs" disabled={busy} onClick={remove} data-testid="comment-delete-confirm">Delete</button>
          <button type="button" className="btn px-2 py-0.5 text-xs" onClick={() => setConfirming(false)}>Keep</button>
        </div>
      )}
      {error && !editing && <p role="alert" className="mt-1 text-xs text-red-700">{error}</p>}
    </li>
  );
}

export function CommentThread(props: CommentThreadProps) {
  const { targetType, targetId, caseId, onCountChange } = props;
  const [comments, setComments] = useState<CommentView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [focused, setFocused] = useState<string | null>(null);

  const query = new URLSearchParams({ targetType, targetId, ...(caseId ? { caseId } : {}) }).toString();

  useEffect(() => {
    const controller = new AbortController();
    setComments(null);
    setLoadError(null);
    api<{ comments: CommentView[] }>(`/api/comments?${query}`, { signal: controller.signal })
      .then((answer) => setComments(answer.comments))
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setLoadError(errorText(caught));
      });
    return () => controller.abort();
  }, [query]);

  useEffect(() => {
    if (comments) onCountChange?.(comments.length);
  }, [comments, onCountChange]);

  // An inbox link ends with #comment-<id>: once the thread holding it has loaded, bring it into view and mark it.
  const focusFromHash = useCallback(() => {
    const hash = window.location.hash.slice(1);
    if (!hash.startsWith("comment-") || !comments?.some((comment) => anchorOf(comment.id) === hash)) return;
    setFocused(hash.slice("comment-".length));
    requestAnimationFrame(() => document.getElementById(hash)?.scrollIntoView({ block: "center" }));
  }, [comments]);
  useEffect(() => {
    focusFromHash();
    window.addEventListener("hashchange", focusFromHash);
    return () => window.removeEventListener("hashchange", focusFromHash);
  }, [focusFromHash]);

  async function post(body: string): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const answer = await api<{ comment: CommentView }>("/api/comments", { body: { targetType, targetId, caseId: caseId ?? null, body } });
      setComments((current) => [...(current ?? []), answer.comment]);
      return true;
    } catch (caught) {
      setError(errorText(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  const count = comments?.length ?? 0;
  return (
    <section className={props.compact ? "space-y-2" : "card space-y-3 p-4"} data-testid="comment-thread" aria-label={props.title ?? "Comments"}>
      <h3 className="flex items-center gap-2 text-sm font-semibold text-slate-800">
        {props.title ?? "Comments"}
        {count > 0 && <span className="badge bg-slate-100 text-slate-600" data-testid="comment-count">{count}</span>}
      </h3>
      {loadError && <p role="alert" className="text-xs text-red-700">{loadError}</p>}
      {!comments && !loadError && <p className="text-xs text-slate-500">Loading comments…</p>}
      {comments && comments.length === 0 && <p className="text-xs text-slate-500">No comments yet. Start the discussion below.</p>}
      {comments && comments.length > 0 && (
        <ol className="space-y-2">
          {comments.map((comment) => (
            <CommentItem
              key={comment.id}
              comment={comment}
              focused={focused === comment.id}
              onChanged={(changed) => setComments((current) => (current ?? []).map((item) => (item.id === changed.id ? changed : item)))}
              onDeleted={(id) => setComments((current) => (current ?? []).filter((item) => item.id !== id))}
            />
          ))}
        </ol>
      )}
      <Composer submitLabel="Comment" placeholder={caseId ? "Comment on this case…" : "Leave a comment…"} busy={busy} error={error} onSubmit={post} testId="comment-composer" />
    </section>
  );
}
