"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { AuditEvent } from "@/lib/reviews/audit";
import { formatTime } from "@/lib/format";
import { api, errorText } from "@/lib/ui/api";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// The prompt's audit log as a timeline: who moved which label from which version to which, who decided which
// review, newest first.

const DOT: Record<string, string> = {
  "label.moved": "bg-brand-600",
  "label.removed": "bg-slate-400",
  "review.approved": "bg-emerald-500",
  "review.changes_requested": "bg-red-500",
  "review.requested": "bg-sky-500",
  "review.rerequested": "bg-sky-500",
  "review.withdrawn": "bg-slate-400",
  "review.closed": "bg-slate-400",
};

function version(ref: { number: number } | null): string {
  return ref ? `v${ref.number}` : "—";
}

function describe(event: AuditEvent): string {
  const who = event.actor?.name ?? "Someone";
  switch (event.kind) {
    case "label.moved":
      return event.from ? `${who} moved ${event.label} ${version(event.from)} → ${version(event.to)}` : `${who} set ${event.label} → ${version(event.to)}`;
    case "label.removed":
      return `${who} removed ${event.label} (was ${version(event.from)})`;
    case "review.requested":
      return `${who} requested a review of ${version(event.version)}`;
    case "review.rerequested":
      return `${who} re-requested the review: ${version(event.from)} → ${version(event.to)}`;
    case "review.approved":
      return `${who} approved ${version(event.version)}`;
    case "review.changes_requested":
      return `${who} requested changes to ${version(event.version)}`;
    case "review.withdrawn":
      return `${who} withdrew the review of ${version(event.version)}`;
    case "review.closed":
      return `The review of ${version(event.version)} closed (${event.reason ?? "closed"})`;
    default:
      return `${who}: ${event.kind}`;
  }
}

export function AuditTimeline(props: { promptId: string; refreshKey: unknown }) {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const href = useWorkspacePath();

  useEffect(() => {
    api<{ events: AuditEvent[] }>(`/api/prompts/${props.promptId}/audit`)
      .then((result) => {
        setEvents(result.events);
        setError(null);
      })
      .catch((caught: unknown) => setError(errorText(caught)));
  }, [props.promptId, props.refreshKey]);

  if (error) return <p role="alert" className="text-sm text-red-600">{error}</p>;
  if (!events) return <p className="text-sm text-slate-500">Loading the audit log…</p>;
  if (events.length === 0) {
    return <p className="text-sm text-slate-500" data-testid="audit-empty">No label moves or review decisions yet. Every one is recorded here.</p>;
  }
  return (
    <ol className="relative space-y-4 border-l border-slate-200 pl-5" data-testid="audit-timeline">
      {events.map((event) => (
        <li key={event.id} className="relative" data-testid="audit-event" data-kind={event.kind}>
          <span className={`absolute -left-[26px] top-1.5 h-2.5 w-2.5 rounded-full ring-4 ring-slate-50 ${DOT[event.kind] ?? "bg-slate-400"}`} />
          <div className="text-sm text-slate-800">{describe(event)}</div>
          <div className="mt-0.5 flex flex-wrap gap-2 text-xs text-slate-500">
            <time dateTime={event.createdAt}>{formatTime(event.createdAt)}</time>
            {event.reviewId && (
              <Link className="text-brand-700 hover:underline" href={href(`/reviews/${event.reviewId}`)}>
                {event.kind === "label.moved" ? "Approved in this review →" : "Open review →"}
              </Link>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}
