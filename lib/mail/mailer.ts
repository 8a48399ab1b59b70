import nodemailer from "nodemailer";
import { env } from "../env.ts";
import { messageOf } from "../errors.ts";

// Outgoing mail through nodemailer. The transport is built from a URL so tests point it at a local SMTP server;
// callers take a Mailer, never read the environment themselves.

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What happened to a message: sent, not attempted (no SMTP configured), or failed with the server's reason. */
export type MailOutcome = { status: "sent" } | { status: "off" } | { status: "failed"; error: string };

export interface Mailer {
  send(message: MailMessage): Promise<MailOutcome>;
}

/** A mailer sending through the SMTP server at `url` (smtp:// or smtps://), from `from`. */
export function smtpMailer(url: string, from: string): Mailer {
  // a refused or unreachable server should answer the admin within seconds, not hang the invitation request
  const transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  return {
    async send(message) {
      try {
        await transport.sendMail({ from, ...message });
        return { status: "sent" };
      } catch (error) {
        // Reported to the admin with the server's words; the invitation exists either way and its link is shown.
        return { status: "failed", error: messageOf(error) };
      }
    },
  };
}

/** No SMTP configured: nothing is sent, and the screen says the link must be passed on by hand. */
export const noMailer: Mailer = {
  async send() {
    return { status: "off" };
  },
};

/** The mailer ASSAY_SMTP_URL configures, or noMailer. */
export function configuredMailer(): Mailer {
  return env.ASSAY_SMTP_URL ? smtpMailer(env.ASSAY_SMTP_URL, env.ASSAY_MAIL_FROM) : noMailer;
}
