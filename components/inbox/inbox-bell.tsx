"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { InboxItem, InboxPage } from "@/lib/inbox/service";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { api, errorText } from "@/lib/ui/api";
import { InboxLine, openInboxItem } from "./inbox-items";
import { useUnreadCount } from "./use-unread-count";

// The bell in the sidebar: the unread count of my inbox, live; a click opens the latest lines (mentions, review
// requests, decisions), and a line opens its page and is marked read.

const PANEL_LIMIT = 15;

export function InboxBell() {
  const router = useRouter();
  const inWorkspace = useWorkspacePath();
  const unread = useUnreadCount(0);
  const [open, setOpen] = useState(false);
  const [page, setPage] = useState<InboxPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    api<InboxPage>(`/api/inbox?limit=${PANEL_LIMIT}`, { signal: controller.signal })
      .then((answer) => {
        setPage(answer);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(errorText(caught));
      });
    return () => controller.abort();
    // a new line while the panel is open shows up in it: the live count changing reloads the list
  }, [open, unread]);

  useEffect(() => {
    if (!open) return;
    function onPointer(event: MouseEvent) {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    }
    function onKey(event: KeyboardEvent) {
      if (event.key === "Escape") setOpen(false);
    }
    document.addEventListener("mousedown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  async function openItem(item: InboxItem) {
    setOpen(false);
    await openInboxItem(item, (href) => router.push(href));
  }

  async function markAll() {
    try {
      await api("/api/inbox/read", { body: { all: true } });
      setPage((current) => (current ? { ...current, unread: 0, items: current.items.map((item) => ({ ...item, readAt: item.readAt ?? new Date().toISOString() })) } : current));
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  return (
    <div className="relative" ref={root}>
      <button
        type="button"
        className={`relative flex h-8 w-8 items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-800 ${open ? "bg-slate-100 text-slate-800" : ""}`}
        onClick={() => setOpen((value) => !value)}
        aria-label={unread > 0 ? `Inbox, ${unread} unread` : "Inbox"}
        aria-expanded={open}
        data-testid="inbox-bell"
      >
        <svg viewBox="0 0 20 20" fill="currentColor" className="h-[18px] w-[18px]" aria-hidden>
          <path d="M10 2a5 5 0 0 0-5 5v2.59l-1.7 2.55A1 1 0 0 0 4.13 14h11.74a1 1 0 0 0 .83-1.56L15 9.59V7a5 5 0 0 0-5-5Zm-2 13a2 2 0 0 0 4 0H8Z" />
        </svg>
        {unread > 0 && (
          <span className="absolute -right-0.5 -top-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-red-600 px-1 text-[10px] font-bold leading-none text-white" data-testid="inbox-badge">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="absolute left-0 top-full z-50 mt-1 w-96 overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xl" role="dialog" aria-label="Inbox" data-testid="inbox-panel">
          <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-2">
            <span className="text-sm font-semibold">Inbox</span>
            {unread > 0 && <span className="badge bg-red-100 text-red-700">{unread} unread</span>}
            <button type="button" className="ml-auto text-xs text-brand-700 hover:underline disabled:text-slate-400 disabled:no-underline" onClick={markAll} disabled={unread === 0}>
              Mark all read
            </button>
          </div>
          {error && <p role="alert" className="px-3 py-2 text-xs text-red-700">{error}</p>}
          {!page && !error && <p className="px-3 py-4 text-sm text-slate-500">Loading…</p>}
          {page && page.items.length === 0 && (
            <p className="px-3 py-6 text-center text-sm text-slate-500">Nothing here yet. Mentions, review requests and decisions for you show up here.</p>
          )}
          {page && page.items.length > 0 && (
            <ul className="max-h-[60vh] divide-y divide-slate-100 overflow-y-auto">
              {page.items.map((item) => <InboxLine key={item.id} item={item} onOpen={openItem} />)}
            </ul>
          )}
          <Link href={inWorkspace("/inbox")} onClick={() => setOpen(false)} className="block border-t border-slate-100 px-3 py-2 text-center text-xs font-medium text-brand-700 hover:bg-slate-50">
            Open the inbox
          </Link>
        </div>
      )}
    </div>
  );
}
