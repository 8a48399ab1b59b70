import { describe, expect, it } from "vitest";
import { invitationMail } from "../../lib/mail/invitation-mail.ts";

describe("invitation mail", () => {
  it("says who invited whom to what, with the link in both parts and names escaped in the HTML", () => {
    const mail = invitationMail({
      to: "bob@example.com",
      workspaceName: "R&D <lab>",
      inviterName: "Ada",
      role: "editor",
      url: "https://assay.example.com/invite/abc",
      expiresAt: new Date("2026-12-08T10:00:00Z"),
    });
    expect(mail.subject).toBe("Ada invited you to R&D <lab> on Assay");
    expect(mail.text).toBe(
      'Ada invited you to join the workspace "R&D <lab>" on Assay as editor.\n\nOpen this link to accept: https://assay.example.com/invite/abc\n\nThe link works once and expires on Tue, 08 Dec 2026 10:00:00 GMT. If you did not expect this invitation, ignore this message.',
    );
    expect(mail.html).toContain("<strong>R&amp;D &lt;lab&gt;</strong>");
    expect(mail.html).toContain('href="https://assay.example.com/invite/abc"');
    expect(mail.html).not.toContain("<lab>");
  });
});
