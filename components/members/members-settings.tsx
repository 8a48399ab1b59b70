"use client";
import { useState } from "react";
import { formatTime } from "@/lib/format";
import type { PendingInvitation } from "@/lib/invitations/service";
import type { MemberRow } from "@/lib/members/service";
import { api, errorText } from "@/lib/ui/api";
import { InvitationsPanel } from "./invitations-panel";

const ROLES = ["owner", "admin", "editor", "viewer"] as const;

interface Me {
  id: string;
  role: string;
}

/** Why this member's role cannot be changed by me, or null when it can. */
function roleReason(me: Me, target: MemberRow, owners: number, manageRefusal: string | null): string | null {
  if (manageRefusal) return manageRefusal;
  if (target.role === "owner" && me.role !== "owner") return "Only owners can change an owner's role.";
  if (target.role === "owner" && owners <= 1) return "The last owner cannot be demoted; make someone else owner first.";
  return null;
}

function removeReason(me: Me, target: MemberRow, owners: number, manageRefusal: string | null): string | null {
  const self = target.userId === me.id;
  if (!self && manageRefusal) return manageRefusal;
  if (target.role === "owner" && owners <= 1) return self ? "You are the last owner; transfer ownership before leaving." : "The last owner cannot be removed.";
  if (!self && target.role === "owner" && me.role !== "owner") return "Only owners can remove an owner.";
  return null;
}

export function MembersSettings(props: {
  me: Me;
  members: MemberRow[];
  invitations: PendingInvitation[];
  /** null when I can manage members, else why not */
  manageRefusal: string | null;
  canTransfer: boolean;
}) {
  const [members, setMembers] = useState(props.members);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [transferTo, setTransferTo] = useState("");
  const [transferConfirm, setTransferConfirm] = useState(false);
  const owners = members.filter((member) => member.role === "owner").length;

  async function act(call: () => Promise<unknown>, after?: () => void) {
    setBusy(true);
    setError(null);
    try {
      await call();
      setMembers((await api<{ members: MemberRow[] }>("/api/members")).members);
      after?.();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  const changeRole = (userId: string, role: string) => act(() => api(`/api/members/${encodeURIComponent(userId)}`, { method: "PATCH", body: { role } }));
  const remove = (target: MemberRow) =>
    target.userId === props.me.id
      ? act(
          () => api("/api/members/me", { method: "DELETE" }),
          () => window.location.assign("/"),
        )
      : act(
          () => api(`/api/members/${encodeURIComponent(target.userId)}`, { method: "DELETE" }),
          () => setConfirming(null),
        );
  // my own role changes with a transfer: the page reloads so every button follows the new role
  const transfer = () => act(() => api("/api/workspaces/transfer", { body: { userId: transferTo } }), () => window.location.reload());

  return (
    <>
      {!props.manageRefusal && <InvitationsPanel initial={props.invitations} canInviteOwner={props.me.role === "owner"} />}

      <section className="card" data-testid="members">
        <div className="flex items-center justify-between border-b border-slate-100 px-5 py-3">
          <h2 className="text-sm font-semibold">Members <span className="font-normal text-slate-500">· {members.length}</span></h2>
          {props.manageRefusal && <p className="text-xs text-slate-500" data-testid="not-allowed">{props.manageRefusal}</p>}
        </div>
        {error && <p role="alert" className="mx-5 mt-3 whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="members-error">{error}</p>}
        <table className="w-full text-sm">
          <thead>
            <tr className="border-b border-slate-100 text-left text-xs text-slate-500">
              <th className="px-5 py-2 font-medium">Name</th>
              <th className="px-3 py-2 font-medium">Email</th>
              <th className="px-3 py-2 font-medium">Role</th>
              <th className="px-3 py-2 font-medium">Joined</th>
              <th className="px-3 py-2 font-medium">Last active</th>
              <th className="px-5 py-2" />
            </tr>
          </thead>
          <tbody>
            {members.map((member) => {
              const self = member.userId === props.me.id;
              const reason = roleReason(props.me, member, owners, props.manageRefusal);
              const removal = removeReason(props.me, member, owners, props.manageRefusal);
              return (
                <tr key={member.userId} className="border-b border-slate-50 align-top last:border-0" data-testid="member-row" data-email={member.email} data-role={member.role}>
                  <td className="px-5 py-2.5 font-medium text-slate-800">
                    {member.name}
                    {self && <span className="badge ml-1.5 bg-brand-50 text-brand-700">you</span>}
                  </td>
                  <td className="px-3 py-2.5 text-slate-600">{member.email}</td>
                  <td className="px-3 py-2.5">
                    <select
                      className="input w-28 py-1"
                      value={member.role}
                      disabled={reason !== null || busy}
                      title={reason ?? undefined}
                      aria-label={`Role of ${member.name}`}
                      onChange={(event) => changeRole(member.userId, event.target.value)}
                      data-testid="member-role"
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role} disabled={role === "owner" && props.me.role !== "owner"}>
                          {role}
                        </option>
                      ))}
                    </select>
                    {reason && !props.manageRefusal && <p className="mt-1 max-w-44 text-[11px] leading-snug text-slate-500" data-testid="role-reason">{reason}</p>}
                  </td>
                  <td className="px-3 py-2.5 text-slate-500">{formatTime(member.joinedAt)}</td>
                  <td className="px-3 py-2.5 text-slate-500">{member.lastActiveAt ? formatTime(member.lastActiveAt) : "never"}</td>
                  <td className="px-5 py-2.5 text-right">
                    {(self || !props.manageRefusal) &&
                      (confirming === member.userId ? (
                        <span className="inline-flex gap-1.5">
                          <button className="btn-danger py-1" onClick={() => remove(member)} disabled={busy} data-testid="member-remove-confirm">
                            {self ? "Leave" : "Remove"}
                          </button>
                          <button className="btn py-1" onClick={() => setConfirming(null)}>Cancel</button>
                        </span>
                      ) : (
                        <button
                          className="btn py-1"
                          onClick={() => setConfirming(member.userId)}
                          disabled={removal !== null || busy}
                          title={removal ?? undefined}
                          data-testid="member-remove"
                        >
                          {self ? "Leave" : "Remove"}
                        </button>
                      ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      {props.canTransfer && (
        <section className="card p-5" data-testid="transfer-ownership">
          <h2 className="text-sm font-semibold">Transfer ownership</h2>
          <p className="mb-3 mt-0.5 text-xs text-slate-500">The member you choose becomes an owner; you become an admin. Only an owner can undo it.</p>
          <div className="flex max-w-lg items-end gap-2">
            <div className="flex-1">
              <label className="label" htmlFor="transfer-to">New owner</label>
              <select className="input" id="transfer-to" value={transferTo} onChange={(event) => { setTransferTo(event.target.value); setTransferConfirm(false); }} data-testid="transfer-to">
                <option value="">Choose a member…</option>
                {members.filter((member) => member.userId !== props.me.id).map((member) => (
                  <option key={member.userId} value={member.userId}>{member.name} ({member.email}, {member.role})</option>
                ))}
              </select>
            </div>
            {transferConfirm ? (
              <>
                <button className="btn-danger" onClick={transfer} disabled={busy} data-testid="transfer-confirm">Yes, transfer</button>
                <button className="btn" onClick={() => setTransferConfirm(false)}>Cancel</button>
              </>
            ) : (
              <button className="btn" disabled={!transferTo || busy} onClick={() => setTransferConfirm(true)} data-testid="transfer">Transfer…</button>
            )}
          </div>
        </section>
      )}
    </>
  );
}
