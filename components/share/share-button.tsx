"use client";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { formatDate } from "@/lib/format";
import { api, errorText } from "@/lib/ui/api";

// "Share": makes a read-only link to a prompt version, a run or a comparison. The link is shown once — the server
// keeps only its hash — so the dialog says so and offers to copy it.

export interface SharePolicy {
  maxDays: number;
  defaultDays: number;
  allowPublicLinks: boolean;
}

const WHAT: Record<ShareButtonProps["resource"], string> = { version: "this prompt version", run: "this run", comparison: "this comparison" };

interface ShareButtonProps {
  resource: "version" | "run" | "comparison";
  /** the version id, the run id, or the compare URL's variants ("baseline,other") */
  id: string;
  policy: SharePolicy;
  /** null when the member may share; otherwise why not (the button is disabled with it) */
  refusal: string | null;
}

interface Created {
  id: string;
  url: string;
  expiresAt: string;
}

export function ShareButton(props: ShareButtonProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        className="btn"
        onClick={() => setOpen(true)}
        disabled={props.refusal !== null}
        title={props.refusal ?? `Make a read-only link to ${WHAT[props.resource]}`}
        data-testid="share-button"
      >
        Share
      </button>
      {open && <ShareDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

function ShareDialog(props: ShareButtonProps & { onClose: () => void }) {
  const inWorkspace = useWorkspacePath();
  const [scope, setScope] = useState<"workspace" | "anyone">("workspace");
  const [days, setDays] = useState(String(props.policy.defaultDays));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const { onClose } = props;

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === "Escape") onClose();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const fullUrl = created ? `${window.location.origin}${created.url}` : "";

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // An emptied field means the default; anything else goes as typed, and the server says what is wrong with it.
      const expiresInDays = days.trim() === "" ? undefined : Number(days);
      setCreated(await api<Created>("/api/share-links", { body: { resource: props.resource, id: props.id, scope, expiresInDays } }));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(fullUrl);
      setCopied(true);
    } catch (caught) {
      // The clipboard API needs a secure context (https or localhost); otherwise select the text for Ctrl+C.
      field.current?.select();
      setError(`Copy it by hand (Ctrl+C): the browser refused the clipboard (${errorText(caught)}).`);
    }
  }

  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-slate-900/30 px-4 pt-[12vh]" onClick={onClose}>
      <div role="dialog" aria-modal="true" aria-labelledby="share-title" className="card w-full max-w-lg p-5 shadow-2xl" onClick={(event) => event.stopPropagation()} data-testid="share-dialog">
        <div className="mb-4 flex items-start justify-between gap-3">
          <div>
            <h2 id="share-title" className="text-base font-semibold">Share {WHAT[props.resource]}</h2>
            <p className="mt-0.5 text-sm text-slate-500">A read-only link: no run buttons, no votes, no other data of this workspace.</p>
          </div>
          <button className="btn px-2 py-1 text-xs" onClick={onClose} aria-label="Close">✕</button>
        </div>

        {created ? (
          <div className="space-y-3" data-testid="share-created">
            <label className="label" htmlFor="share-url">Link</label>
            <div className="flex gap-2">
              <input id="share-url" ref={field} className="input font-mono text-xs" readOnly value={fullUrl} onFocus={(event) => event.target.select()} data-testid="share-url" />
              <button className="btn-primary shrink-0" onClick={copy} data-testid="share-copy">{copied ? "Copied ✓" : "Copy"}</button>
            </div>
            <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="share-once">
              Copy it now: you will not see this link again. It works until {formatDate(created.expiresAt)} for {scope === "anyone" ? "anyone who has it" : "members of this workspace, once signed in"}.
            </p>
            {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
            <div className="flex items-center justify-between pt-1 text-sm">
              <Link className="text-brand-700 hover:underline" href={inWorkspace("/settings/share-links")}>Views and revoking: Share links</Link>
              <button className="btn" onClick={onClose}>Done</button>
            </div>
          </div>
        ) : (
          <form className="space-y-4" onSubmit={create}>
            <fieldset className="space-y-2">
              <legend className="label">Who can open it</legend>
              <label className="flex cursor-pointer items-start gap-2 rounded-md border border-slate-200 p-2.5 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50">
                <input type="radio" name="scope" className="mt-0.5" checked={scope === "workspace"} onChange={() => setScope("workspace")} data-testid="scope-workspace" />
                <span>
                  <span className="font-medium">Members of this workspace</span>
                  <span className="block text-xs text-slate-500">They sign in to open it.</span>
                </span>
              </label>
              <label className={`flex items-start gap-2 rounded-md border border-slate-200 p-2.5 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 ${props.policy.allowPublicLinks ? "cursor-pointer" : "cursor-not-allowed opacity-60"}`}>
                <input type="radio" name="scope" className="mt-0.5" checked={scope === "anyone"} onChange={() => setScope("anyone")} disabled={!props.policy.allowPublicLinks} data-testid="scope-anyone" />
                <span>
                  <span className="font-medium">Anyone with the link</span>
                  <span className="block text-xs text-slate-500" data-testid="scope-anyone-note">
                    {props.policy.allowPublicLinks ? "No sign-in: whoever has the link can read it." : "Switched off in this workspace's settings: an owner can allow it."}
                  </span>
                </span>
              </label>
            </fieldset>
            <label className="block">
              <span className="label">Expires after</span>
              <span className="flex items-center gap-2 text-sm">
                <input type="number" className="input w-24" min={1} max={props.policy.maxDays} step={1} value={days} onChange={(event) => setDays(event.target.value)} data-testid="share-days" />
                days <span className="text-xs text-slate-500">(at most {props.policy.maxDays} in this workspace)</span>
              </span>
            </label>
            {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="share-error">{error}</p>}
            <div className="flex justify-end gap-2">
              <button type="button" className="btn" onClick={onClose}>Cancel</button>
              <button type="submit" className="btn-primary" disabled={busy} data-testid="share-create">{busy ? "Creating…" : "Create link"}</button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
