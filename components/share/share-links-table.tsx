"use client";
import Link from "next/link";
import { useState } from "react";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";
import { formatCount, formatDate, formatTime } from "@/lib/format";
import type { ShareLinkView } from "@/lib/share-links/service";
import { api, errorText } from "@/lib/ui/api";

// Share links with their views and state; revoking one turns it into a 404 page at once.

const RESOURCE: Record<ShareLinkView["resource"], string> = { version: "Prompt version", run: "Run", comparison: "Comparison" };
const STATE_STYLE: Record<ShareLinkView["state"], string> = {
  active: "bg-emerald-100 text-emerald-800",
  expired: "bg-slate-100 text-slate-600",
  revoked: "bg-red-100 text-red-700",
};

export function ShareLinksTable(props: { links: ShareLinkView[]; userId: string; canManage: boolean }) {
  const inWorkspace = useWorkspacePath();
  const [links, setLinks] = useState(props.links);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function revoke(link: ShareLinkView) {
    if (!window.confirm(`Revoke the link to ${link.title}? Whoever has it will see "This link was revoked".`)) return;
    setBusy(link.id);
    setError(null);
    try {
      await api(`/api/share-links/${link.id}`, { method: "DELETE" });
      setLinks(await api<ShareLinkView[]>("/api/share-links"));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(null);
    }
  }

  if (links.length === 0) {
    return (
      <div className="card p-6 text-sm text-slate-600" data-testid="share-links-empty">
        No share links yet. Use <strong>Share</strong> on a prompt version, a run or a comparison to make a read-only link.
      </div>
    );
  }
  return (
    <div className="space-y-2">
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
      <div className="card overflow-x-auto">
        <table className="w-full text-sm" data-testid="share-links-table">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium text-slate-500">
            <tr>
              <th className="px-4 py-2">Shared</th>
              <th className="px-3 py-2">Who can open it</th>
              {props.canManage && <th className="px-3 py-2">Created by</th>}
              <th className="px-3 py-2">Created</th>
              <th className="px-3 py-2">Expires</th>
              <th className="px-3 py-2 text-right">Views</th>
              <th className="px-3 py-2">Last viewed</th>
              <th className="px-3 py-2">State</th>
              <th className="px-3 py-2" />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {links.map((link) => (
              <tr key={link.id} data-testid="share-link-row" data-state={link.state}>
                <td className="max-w-xs px-4 py-2.5">
                  <div className="text-[11px] uppercase tracking-wide text-slate-400">{RESOURCE[link.resource]}</div>
                  {link.path ? (
                    <Link className="block truncate font-medium text-brand-700 hover:underline" href={inWorkspace(link.path)} title={link.title}>{link.title}</Link>
                  ) : (
                    <span className="block truncate italic text-slate-500">{link.title}</span>
                  )}
                </td>
                <td className="px-3 py-2.5 text-slate-700">{link.scope === "anyone" ? "Anyone with the link" : "Members (sign-in)"}</td>
                {props.canManage && <td className="px-3 py-2.5 text-slate-700">{link.createdBy?.id === props.userId ? "you" : (link.createdBy?.name ?? "a former member")}</td>}
                <td className="whitespace-nowrap px-3 py-2.5 text-slate-500">{formatTime(link.createdAt)}</td>
                <td className="whitespace-nowrap px-3 py-2.5 text-slate-700">{formatDate(link.expiresAt)}</td>
                <td className="px-3 py-2.5 text-right tabular-nums" data-testid="share-views">{formatCount(link.viewCount)}</td>
                <td className="whitespace-nowrap px-3 py-2.5 text-slate-500">{link.lastViewedAt ? formatTime(link.lastViewedAt) : "never"}</td>
                <td className="px-3 py-2.5">
                  <span className={`badge ${STATE_STYLE[link.state]}`} title={link.revokedAt ? `revoked ${formatTime(link.revokedAt)}` : undefined}>{link.state}</span>
                </td>
                <td className="px-3 py-2.5 text-right">
                  {link.state === "active" && (props.canManage || link.createdBy?.id === props.userId) && (
                    <button className="btn-danger px-2 py-1 text-xs" onClick={() => revoke(link)} disabled={busy !== null} data-testid="share-revoke">
                      {busy === link.id ? "Revoking…" : "Revoke"}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
