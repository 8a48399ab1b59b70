"use client";
import type { InboxItem } from "@/lib/inbox/service";
import { api } from "@/lib/ui/api";
import { formatRelativeTime, formatTime } from "@/lib/format";

// One inbox line as the bell's panel and the inbox page show it.

const KIND: Record<InboxItem["kind"], { icon: string; label: string; tone: string }> = {
  mention: { icon: "@", label: "Mention", tone: "bg-brand-100 text-brand-700" },
  review_requested: { icon: "?", label: "Review requested", tone: "bg-amber-100 text-amber-800" },
  review_decided: { icon: "✓", label: "Review decided", tone: "bg-emerald-100 text-emerald-700" },
};

export function InboxLine(props: { item: InboxItem; onOpen: (item: InboxItem) => void }) {
  const { item } = props;
  const kind = KIND[item.kind];
  const unread = item.readAt === null;
  return (
    <li>
      <a
        href={item.href}
        onClick={(event) => {
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          props.onOpen(item);
        }}
        className={`flex items-start gap-2.5 px-3 py-2 text-sm hover:bg-slate-50 ${unread ? "bg-white" : "bg-slate-50/60"}`}
        data-testid="inbox-item"
        data-unread={unread}
      >
        <span className={`mt-0.5 flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-[11px] font-bold ${kind.tone}`} title={kind.label} aria-label={kind.label}>
          {kind.icon}
        </span>
        <span className="min-w-0 flex-1">
          <span className={`block ${unread ? "font-medium text-slate-900" : "text-slate-600"}`}>{item.summary}</span>
          <span className="block text-xs text-slate-500" title={formatTime(item.createdAt)}>{formatRelativeTime(item.createdAt)}</span>
        </span>
        {unread && <span className="mt-1.5 h-2 w-2 shrink-0 rounded-full bg-brand-500" aria-label="unread" />}
      </a>
    </li>
  );
}

/** Marks a line read (when it is unread), then opens its page: the bell's panel and the inbox page do the same. */
export async function openInboxItem(item: InboxItem, go: (href: string) => void): Promise<void> {
  if (item.readAt === null) {
    try {
      await api("/api/inbox/read", { body: { ids: [item.id] } });
    } catch (caught) {
      // Opening the page matters more than the read mark; the line stays unread and says so next time.
      console.warn("[inbox] could not mark the line read", caught);
    }
  }
  go(item.href);
}
