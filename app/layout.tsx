import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

// Every page renders per request: the Content-Security-Policy (proxy.ts) carries a fresh nonce that Next puts on its
// <script> tags while rendering, and a page prerendered at build time would hold scripts without it (blocked).
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Assay", template: "%s · Assay" },
  description: "Prompt-engineering and LLM-API workbench",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
