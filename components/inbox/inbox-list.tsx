"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { InboxItem, InboxPage } from "@/lib/inbox/service";
import { api, errorText } from "@/lib/ui/api";
import { InboxLine, openInboxItem } from "./inbox-items";
import { useUnreadCount } from "./use-unread-count";

// The inbox page: every line, newest first, "All" or "Unread", mark all read, and older lines on demand.

export function InboxList(props: { initial: InboxPage }) {
  const router = useRouter();
  const [items, setItems] = useState<InboxItem[]>(props.initial.items);
  const [nextBefore, setNextBefore] = useState<string | null>(props.initial.nextBefore);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const liveUnread = useUnreadCount(props.initial.unread);
  const [shownUnread, setShownUnread] = useState(props.initial.unread);
  const fresh = liveUnread > shownUnread;

  async function load(options: { unread: boolean; before?: string | null }) {
    setBusy(true);
    setError(null);
    try {
      const query = new URLSearchParams({ limit: "50", ...(options.unread ? { unread: "true" } : {}), ...(options.before ? { before: options.before } : {}) });
      const page = await api<InboxPage>(`/api/inbox?${query}`);
      setItems((current) => (options.before ? [...current, ...page.items] : page.items));
      setNextBefore(page.nextBefore);
      setShownUnread(page.unread);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  async function markAll() {
    try {
      const answer = await api<{ unread: number }>("/api/inbox/read", { body: { all: true } });
      setShownUnread(answer.unread);
      setItems((current) => (unreadOnly ? [] : current.map((item) => ({ ...item, readAt: item.readAt ?? new Date().toISOString() }))));
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  async function open(item: InboxItem) {
    await openInboxItem(item, (href) => router.push(href));
  }

  return (
    <div className="mx-auto max-w-3xl space-y-3 p-6">
      <div className="flex items-center gap-2">
        <div className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 text-sm" role="tablist">
          {[false, true].map((value) => (
            <button
              key={String(value)}
              type="button"
              role="tab"
              aria-selected={unreadOnly === value}
              className={`rounded px-2.5 py-1 ${unreadOnly === value ? "bg-slate-800 text-white" : "text-slate-600 hover:bg-slate-100"}`}
              onClick={() => {
                setUnreadOnly(value);
                void load({ unread: value });
              }}
            >
              {value ? `Unread (${liveUnread})` : "All"}
            </button>
          ))}
        </div>
        {fresh && (
          <button type="button" className="text-sm text-brand-700 hover:underline" onClick={() => load({ unread: unreadOnly })} data-testid="inbox-fresh">
            New lines — show them
          </button>
        )}
        <button type="button" className="btn ml-auto" onClick={markAll} disabled={liveUnread === 0 && shownUnread === 0} data-testid="inbox-mark-all">
          Mark all read
        </button>
      </div>
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      <div className="card overflow-hidden">
        {items.length === 0 ? (
          <p className="px-4 py-10 text-center text-sm text-slate-500">
            {unreadOnly ? "You are all caught up." : "Nothing here yet. When someone mentions you, asks for your review or decides on yours, it shows up here."}
          </p>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="inbox-list">
            {items.map((item) => <InboxLine key={item.id} item={item} onOpen={open} />)}
          </ul>
        )}
      </div>
      {nextBefore && (
        <div className="text-center">
          <button type="button" className="btn" disabled={busy} onClick={() => load({ unread: unreadOnly, before: nextBefore })}>
            {busy ? "Loading…" : "Show older"}
          </button>
        </div>
      )}
    </div>
  );
}
