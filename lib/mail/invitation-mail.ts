import type { MailMessage } from "./mailer.ts";

// The invitation email: plain text for every client, and a simple HTML part with the same words and one link.

export interface InvitationMailFacts {
  to: string;
  workspaceName: string;
  inviterName: string;
  role: string;
  url: string;
  expiresAt: Date;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

export function invitationMail(facts: InvitationMailFacts): MailMessage {
  const expires = facts.expiresAt.toUTCString();
  const subject = `${facts.inviterName} invited you to ${facts.workspaceName} on Assay`;
  const text = [
    `${facts.inviterName} invited you to join the workspace "${facts.workspaceName}" on Assay as ${facts.role}.`,
    "",
    `Open this link to accept: ${facts.url}`,
    "",
    `The link works once and expires on ${expires}. If you did not expect this invitation, ignore this message.`,
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a;line-height:1.5">
<p>${escapeHtml(facts.inviterName)} invited you to join the workspace <strong>${escapeHtml(facts.workspaceName)}</strong> on Assay as <strong>${escapeHtml(facts.role)}</strong>.</p>
<p><a href="${escapeHtml(facts.url)}" style="display:inline-block;background:#4f46e5;color:#fff;padding:8px 16px;border-radius:6px;text-decoration:none">Accept the invitation</a></p>
<p style="color:#64748b;font-size:13px">Or paste this link into your browser: ${escapeHtml(facts.url)}<br>It works once and expires on ${escapeHtml(expires)}. If you did not expect this invitation, ignore this message.</p>
</body></html>`;
  return { to: facts.to, subject, text, html };
}
