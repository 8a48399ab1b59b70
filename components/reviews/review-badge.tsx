import type { ReviewStateName } from "@/lib/reviews/read";

const STYLE: Record<ReviewStateName, { text: string; className: string }> = {
  open: { text: "review open", className: "bg-sky-100 text-sky-800" },
  approved: { text: "approved", className: "bg-emerald-100 text-emerald-800" },
  changes_requested: { text: "changes requested", className: "bg-red-100 text-red-800" },
  closed: { text: "closed", className: "bg-slate-100 text-slate-600" },
};

export function ReviewStateBadge({ state, closedReason }: { state: ReviewStateName; closedReason?: string | null }) {
  const style = STYLE[state];
  return (
    <span className={`badge ${style.className}`} data-testid="review-state">
      {state === "closed" && closedReason ? `closed · ${closedReason}` : style.text}
    </span>
  );
}

export function VerdictBadge({ verdict }: { verdict: "approved" | "changes_requested" | null }) {
  if (verdict === "approved") return <span className="badge bg-emerald-100 text-emerald-800">✓ approved</span>;
  if (verdict === "changes_requested") return <span className="badge bg-red-100 text-red-800">✕ changes requested</span>;
  return <span className="badge bg-slate-100 text-slate-600">awaiting</span>;
}
