"use client";
import { useState, type FormEvent } from "react";
import { formatTime } from "@/lib/format";
import type { IssuedInvitation, PendingInvitation } from "@/lib/invitations/service";
import { api, errorText } from "@/lib/ui/api";
import { CopyField } from "./copy-field";

/** What happened to the email, in words the admin can act on. */
function mailLine(issued: IssuedInvitation): { text: string; tone: string } {
  if (issued.mail.status === "sent") return { text: `Emailed to ${issued.email}. You can also pass the link on yourself.`, tone: "text-emerald-700" };
  if (issued.mail.status === "failed") return { text: `The email to ${issued.email} could not be sent: ${issued.mail.error}. The invitation exists; send the link yourself.`, tone: "text-red-700" };
  return { text: "No mail server is configured (ASSAY_SMTP_URL), so nothing was emailed: send this link to them yourself.", tone: "text-slate-600" };
}

export function InvitationsPanel(props: { initial: PendingInvitation[]; canInviteOwner: boolean }) {
  const [pending, setPending] = useState(props.initial);
  const [issued, setIssued] = useState<IssuedInvitation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(call: () => Promise<IssuedInvitation | void>) {
    setBusy(true);
    setError(null);
    try {
      const result = await call();
      if (result) setIssued(result);
      setPending((await api<{ invitations: PendingInvitation[] }>("/api/invitations")).invitations);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  function invite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    void run(async () => {
      const created = await api<IssuedInvitation>("/api/invitations", { body: { email: String(data.get("email") ?? ""), role: String(data.get("role") ?? "") } });
      form.reset();
      return created;
    });
  }

  const mail = issued ? mailLine(issued) : null;
  return (
    <>
      <section className="card p-5" data-testid="invite">
        <h2 className="text-sm font-semibold">Invite a teammate</h2>
        <p className="mb-3 mt-0.5 text-xs text-slate-500">The link works once and expires in 7 days. Only owners can invite an owner.</p>
        <form onSubmit={invite} className="flex flex-wrap items-end gap-2">
          <div className="min-w-64 flex-1">
            <label className="label" htmlFor="invite-email">Email</label>
            <input className="input" id="invite-email" name="email" type="email" required placeholder="teammate@example.com" data-testid="invite-email" />
          </div>
          <div>
            <label className="label" htmlFor="invite-role">Role</label>
            <select className="input w-32" id="invite-role" name="role" defaultValue="editor" data-testid="invite-role">
              <option value="viewer">viewer</option>
              <option value="editor">editor</option>
              <option value="admin">admin</option>
              {props.canInviteOwner && <option value="owner">owner</option>}
            </select>
          </div>
          <button className="btn-primary" disabled={busy} data-testid="invite-submit">{busy ? "Inviting…" : "Invite"}</button>
        </form>
        {error && <p role="alert" className="mt-3 whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="invite-error">{error}</p>}
        {issued && mail && (
          <div className="mt-4 space-y-2 rounded-md border border-brand-100 bg-brand-50/50 p-3" data-testid="invite-result">
            <p className="text-sm text-slate-800">
              Invitation link for <strong>{issued.email}</strong> as {issued.role}, shown only now:
            </p>
            <CopyField value={issued.url} testId="invite-link" />
            <p className={`text-xs ${mail.tone}`} data-testid="invite-mail">{mail.text}</p>
          </div>
        )}
      </section>

      <section className="card" data-testid="pending-invitations">
        <div className="border-b border-slate-100 px-5 py-3">
          <h2 className="text-sm font-semibold">Pending invitations <span className="font-normal text-slate-500">· {pending.length}</span></h2>
        </div>
        {pending.length === 0 ? (
          <p className="px-5 py-4 text-sm text-slate-500">No invitation is waiting to be accepted.</p>
        ) : (
          <table className="w-full text-sm">
            <thead>
              <tr className="border-b border-slate-100 text-left text-xs text-slate-500">
                <th className="px-5 py-2 font-medium">Email</th>
                <th className="px-3 py-2 font-medium">Role</th>
                <th className="px-3 py-2 font-medium">Invited by</th>
                <th className="px-3 py-2 font-medium">Expires</th>
                <th className="px-5 py-2" />
              </tr>
            </thead>
            <tbody>
              {pending.map((invitation) => (
                <tr key={invitation.id} className="border-b border-slate-50 last:border-0" data-testid="invitation-row" data-email={invitation.email}>
                  <td className="px-5 py-2.5 text-slate-800">{invitation.email}</td>
                  <td className="px-3 py-2.5 text-slate-600">{invitation.role}</td>
                  <td className="px-3 py-2.5 text-slate-600">{invitation.invitedBy?.name ?? "—"}</td>
                  <td className="px-3 py-2.5 text-slate-500">
                    {invitation.expired ? <span className="badge bg-amber-100 text-amber-800">expired {formatTime(invitation.expiresAt)}</span> : formatTime(invitation.expiresAt)}
                  </td>
                  <td className="px-5 py-2.5 text-right">
                    <span className="inline-flex gap-1.5">
                      <button
                        className="btn py-1"
                        disabled={busy || (invitation.role === "owner" && !props.canInviteOwner)}
                        title={invitation.role === "owner" && !props.canInviteOwner ? "Only owners can reissue an owner's invitation." : "A new link and 7 more days; the old link stops working."}
                        onClick={() => run(() => api<IssuedInvitation>(`/api/invitations/${invitation.id}/resend`, { method: "POST" }))}
                        data-testid="invitation-resend"
                      >
                        Resend
                      </button>
                      <button className="btn-danger py-1" disabled={busy} onClick={() => run(async () => { await api(`/api/invitations/${invitation.id}`, { method: "DELETE" }); })} data-testid="invitation-revoke">
                        Revoke
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
