"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import type { EvidenceOption, RequestOptions } from "@/lib/reviews/options";
import { api, errorText } from "@/lib/ui/api";

// The review page's buttons: reviewers approve or request changes (with a comment); the author re-requests on a
// newer version or withdraws. Each refreshes the server-rendered page, so states, verdicts and history update.

export function DecisionForm(props: { reviewId: string; versionNumber: number; myVerdict: "approved" | "changes_requested" | null }) {
  const router = useRouter();
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState<string | null>(null);

  async function decide(verdict: "approved" | "changes_requested") {
    setSending(verdict);
    setError(null);
    try {
      await api(`/api/reviews/${props.reviewId}/decision`, { body: { verdict, comment } });
      setComment("");
      router.refresh();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setSending(null);
    }
  }

  return (
    <section className="card space-y-2 p-4" data-testid="decision-form">
      <h2 className="text-sm font-semibold">Your review of v{props.versionNumber}</h2>
      {props.myVerdict && (
        <p className="text-xs text-slate-500" data-testid="my-verdict">
          You {props.myVerdict === "approved" ? "approved" : "requested changes to"} v{props.versionNumber}. A new decision replaces it.
        </p>
      )}
      <textarea
        className="input text-sm"
        rows={3}
        placeholder="A comment for the author (required when requesting changes)"
        value={comment}
        onChange={(event) => setComment(event.target.value)}
        data-testid="decision-comment"
      />
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
      <div className="flex gap-2">
        <button className="btn-primary" disabled={sending !== null} onClick={() => decide("approved")} data-testid="approve">
          {sending === "approved" ? "Approving…" : "Approve"}
        </button>
        <button className="btn" disabled={sending !== null || comment.trim() === ""} title={comment.trim() === "" ? "Say what has to change" : undefined} onClick={() => decide("changes_requested")} data-testid="request-changes">
          {sending === "changes_requested" ? "Sending…" : "Request changes"}
        </button>
      </div>
    </section>
  );
}

export function AuthorActions(props: { reviewId: string; versionNumber: number; newerVersions: { id: string; number: number; commitMessage: string }[] }) {
  const router = useRouter();
  const [versionId, setVersionId] = useState(props.newerVersions[0]?.id ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // "" keeps the review's evidence, "none" removes it, "type:id" attaches a run or comparison of the new version
  const [evidence, setEvidence] = useState("");
  const [evidenceOptions, setEvidenceOptions] = useState<EvidenceOption[]>([]);

  useEffect(() => {
    if (!versionId) return;
    api<RequestOptions>(`/api/reviews/options?versionId=${encodeURIComponent(versionId)}`)
      .then((result) => setEvidenceOptions(result.evidence))
      .catch((caught: unknown) => setError(errorText(caught)));
  }, [versionId]);

  function evidenceBody(): { evidence?: { type: string; id: string } | null } {
    if (evidence === "") return {};
    if (evidence === "none") return { evidence: null };
    const [type, ...rest] = evidence.split(":");
    return { evidence: { type: type ?? "", id: rest.join(":") } };
  }

  async function call(path: string, body?: unknown) {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/reviews/${props.reviewId}/${path}`, { method: "POST", body });
      router.refresh();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card space-y-2 p-4" data-testid="author-actions">
      <h2 className="text-sm font-semibold">Your request</h2>
      {props.newerVersions.length === 0 ? (
        <p className="text-xs text-slate-500">After changes, save a new version of the prompt; you can then re-request this review on it.</p>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <select className="input w-auto py-1 text-xs" value={versionId} onChange={(event) => setVersionId(event.target.value)} aria-label="Version to re-request on" data-testid="rerequest-version">
            {props.newerVersions.map((version) => (
              <option key={version.id} value={version.id}>v{version.number}{version.commitMessage ? ` — ${version.commitMessage}` : ""}</option>
            ))}
          </select>
          <select className="input py-1 text-xs" value={evidence} onChange={(event) => setEvidence(event.target.value)} aria-label="Evidence for the new version" data-testid="rerequest-evidence">
            <option value="">Keep the current evidence</option>
            <option value="none">No evidence</option>
            {evidenceOptions.map((item) => (
              <option key={`${item.type}:${item.id}`} value={`${item.type}:${item.id}`}>{item.label}</option>
            ))}
          </select>
          <button className="btn-primary py-1 text-xs" disabled={busy || !versionId} onClick={() => call("rerequest", { versionId, ...evidenceBody() })} data-testid="rerequest">
            Re-request review on this version
          </button>
        </div>
      )}
      <button
        className="btn-danger py-1 text-xs"
        disabled={busy}
        onClick={() => {
          if (window.confirm(`Withdraw the review of v${props.versionNumber}? Its approvals will no longer count.`)) void call("withdraw");
        }}
        data-testid="withdraw"
      >
        Withdraw
      </button>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
    </section>
  );
}
