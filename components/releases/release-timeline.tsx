import { formatPercent, formatTime } from "@/lib/format";
import type { Stage } from "@/lib/releases/stages";
import type { ReleaseEventView } from "@/lib/releases/types";

// The release's audit trail, oldest first: who did what (or "automatic" when the monitor acted), when, and the stage
// it moved between.

const TITLES: Record<string, string> = {
  created: "Created",
  start: "Started",
  started: "Started",
  pause: "Paused",
  paused: "Paused",
  resume: "Resumed",
  resumed: "Resumed",
  advance: "Advanced",
  advanced: "Advanced",
  rollback: "Rolled back",
  rolled_back: "Rolled back",
  promote: "Promoted",
  promoted: "Promoted",
  stop: "Stopped",
  stopped: "Stopped",
  promotion_blocked: "Promotion blocked",
  srm_paused: "Paused (sample ratio mismatch)",
  webhook: "Webhook",
};

const TONE: Record<string, string> = {
  Rolled: "bg-red-500",
  Paused: "bg-amber-500",
  Stopped: "bg-slate-400",
  Promoted: "bg-emerald-500",
  Promotion: "bg-amber-500",
};

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() ? value : null;
}

function detailOf(event: ReleaseEventView, stages: Stage[]): string[] {
  const data = event.data;
  const lines: string[] = [];
  const from = typeof data.fromStage === "number" ? stages[data.fromStage]?.title : undefined;
  const to = typeof data.toStage === "number" ? stages[data.toStage]?.title : undefined;
  if (from && to && from !== to) lines.push(`${from} → ${to}`);
  else if (to) lines.push(`stage ${to}`);
  // the share is in percent, as the ramp steps are written
  if (typeof data.share === "number") lines.push(`candidate share ${formatPercent(data.share / 100, data.share < 1 && data.share > 0 ? 1 : 0)}`);
  const reason = data.reason;
  const reasonText = text(reason) ?? (reason && typeof reason === "object" ? text((reason as { message?: unknown }).message) : null);
  const note = text(data.note);
  if (reasonText && reasonText !== note) lines.push(reasonText);
  if (note) lines.push(`“${note}”`);
  const webhook = data.webhook;
  if (webhook && typeof webhook === "object") {
    const outcome = webhook as { status?: unknown; error?: unknown };
    lines.push(`webhook: ${typeof outcome.status === "number" ? `answered ${outcome.status}` : (text(outcome.error) ?? "sent")}`);
  }
  return lines;
}

export function ReleaseTimeline(props: { events: ReleaseEventView[]; stages: Stage[] }) {
  const events = [...props.events].sort((left, right) => left.createdAt.localeCompare(right.createdAt));
  return (
    <ol className="relative space-y-3 border-l border-slate-200 pl-4" data-testid="release-timeline">
      {events.map((event) => {
        const title = TITLES[event.kind] ?? event.kind.replaceAll("_", " ");
        const tone = TONE[title.split(" ")[0] ?? ""] ?? "bg-brand-500";
        return (
          <li key={event.id} className="relative" data-testid="timeline-event" data-kind={event.kind}>
            <span className={`absolute -left-[21px] top-1.5 h-2.5 w-2.5 rounded-full ring-2 ring-white ${tone}`} aria-hidden />
            <div className="text-sm text-slate-800">
              <span className="font-medium">{title}</span>{" "}
              {event.actor ? <span className="text-slate-600">by {event.actor.name}</span> : <span className="badge bg-slate-100 text-slate-600">automatic</span>}
              <span className="ml-2 text-xs text-slate-400">{formatTime(event.createdAt)}</span>
            </div>
            {detailOf(event, props.stages).map((line, index) => (
              <div key={index} className="text-xs text-slate-600">{line}</div>
            ))}
          </li>
        );
      })}
      {events.length === 0 && <li className="text-sm text-slate-500">Nothing yet.</li>}
    </ol>
  );
}
