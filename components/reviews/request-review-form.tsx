"use client";
import { useEffect, useState } from "react";
import type { RequestOptions } from "@/lib/reviews/options";
import type { ReviewDetail } from "@/lib/reviews/read";
import { api, errorText } from "@/lib/ui/api";

// "Request review" on a version: reviewers (members who may review, not the author), evidence (one of the prompt's
// runs or comparisons), a title and a description. On success the caller links to the new review.
export function RequestReviewForm(props: {
  versionId: string;
  versionNumber: number;
  promptName: string;
  onCreated: (review: ReviewDetail) => void;
  onCancel: () => void;
}) {
  const [options, setOptions] = useState<RequestOptions | null>(null);
  const [reviewerIds, setReviewerIds] = useState<string[]>([]);
  const [evidence, setEvidence] = useState("");
  const [title, setTitle] = useState(`${props.promptName} v${props.versionNumber}`);
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    api<RequestOptions>(`/api/reviews/options?versionId=${encodeURIComponent(props.versionId)}`)
      .then((result) => {
        setOptions(result);
        // The newest comparison is the usual evidence for a change; preselect it.
        const comparison = result.evidence.find((item) => item.type === "comparison");
        if (comparison) setEvidence(`comparison:${comparison.id}`);
      })
      .catch((caught: unknown) => setError(errorText(caught)));
  }, [props.versionId]);

  function toggle(id: string) {
    setReviewerIds((current) => (current.includes(id) ? current.filter((item) => item !== id) : [...current, id]));
  }

  async function submit() {
    setSending(true);
    setError(null);
    const [type, ...rest] = evidence.split(":");
    try {
      const review = await api<ReviewDetail>("/api/reviews", {
        body: {
          versionId: props.versionId,
          reviewerIds,
          evidence: evidence ? { type, id: rest.join(":") } : null,
          title,
          description,
        },
      });
      props.onCreated(review);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setSending(false);
    }
  }

  return (
    <div className="mt-2 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3" data-testid="request-review-form">
      <div className="text-sm font-medium">Request review of v{props.versionNumber}</div>
      {!options && !error && <p className="text-xs text-slate-500">Loading reviewers…</p>}
      {options && (
        <>
          <fieldset>
            <legend className="label">Reviewers</legend>
            {options.reviewers.length === 0 ? (
              <p className="text-xs text-amber-700">Nobody else in this workspace can review (editors and above can). Invite a teammate first.</p>
            ) : (
              <div className="flex flex-wrap gap-2">
                {options.reviewers.map((reviewer) => (
                  <label key={reviewer.id} className={`flex cursor-pointer items-center gap-1.5 rounded-md border px-2 py-1 text-xs ${reviewerIds.includes(reviewer.id) ? "border-brand-500 bg-brand-50" : "border-slate-200 bg-white"}`}>
                    <input type="checkbox" className="accent-brand-600" checked={reviewerIds.includes(reviewer.id)} onChange={() => toggle(reviewer.id)} data-testid={`reviewer-${reviewer.email}`} />
                    <span className="font-medium">{reviewer.name}</span>
                    <span className="text-slate-400">{reviewer.role}</span>
                  </label>
                ))}
              </div>
            )}
          </fieldset>
          <label className="block">
            <span className="label">Evidence</span>
            <select className="input text-xs" value={evidence} onChange={(event) => setEvidence(event.target.value)} data-testid="review-evidence">
              <option value="">No evidence attached</option>
              {options.evidence.map((item) => (
                <option key={`${item.type}:${item.id}`} value={`${item.type}:${item.id}`}>{item.label}</option>
              ))}
            </select>
          </label>
          <label className="block">
            <span className="label">Title</span>
            <input className="input text-xs" value={title} onChange={(event) => setTitle(event.target.value)} data-testid="review-title" />
          </label>
          <label className="block">
            <span className="label">Description</span>
            <textarea className="input text-xs" rows={3} placeholder="What changed and what to look at (markdown)" value={description} onChange={(event) => setDescription(event.target.value)} data-testid="review-description" />
          </label>
        </>
      )}
      {error && <p role="alert" className="whitespace-pre-line text-sm text-red-600">{error}</p>}
      <div className="flex gap-2">
        <button className="btn-primary py-1 text-xs" disabled={sending || reviewerIds.length === 0} onClick={submit} data-testid="send-review-request">
          {sending ? "Sending…" : "Request review"}
        </button>
        <button className="py-1 text-xs text-slate-500" onClick={props.onCancel}>Cancel</button>
      </div>
    </div>
  );
}
