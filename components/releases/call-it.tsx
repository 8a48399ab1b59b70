"use client";
import Link from "next/link";
import { useState } from "react";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// How an application calls the prompt through the gateway with the official `openai` SDK, unchanged: the base URL,
// a gateway key, the prompt's name as the model, the template variables as metadata and the end user as `user`.

export function callSnippet(props: { gatewayUrl: string; promptName: string; variables: string[] }): string {
  const metadata = props.variables.length === 0 ? "{}" : `{\n${props.variables.map((name) => `    ${JSON.stringify(name)}: "…",`).join("\n")}\n  }`;
  return `import OpenAI from "openai";

const client = new OpenAI({
  baseURL: "${props.gatewayUrl}",
  apiKey: process.env.ASSAY_GATEWAY_KEY, // assay_gw_…
});

const completion = await client.chat.completions.create({
  model: ${JSON.stringify(props.promptName)},
  user: currentUser.id, // sticky: one user, one version
  metadata: ${metadata},
});
console.log(completion.choices[0].message.content);`;
}

export function CallIt(props: { gatewayUrl: string; promptName: string; variables: string[] }) {
  const inWorkspace = useWorkspacePath();
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const snippet = callSnippet(props);

  async function copy() {
    try {
      await navigator.clipboard.writeText(snippet);
      setCopied("yes");
    } catch (error) {
      // no clipboard permission (plain http on another host): the snippet stays selectable
      console.warn("clipboard unavailable", error);
      setCopied("no");
    }
  }

  return (
    <div className="space-y-2" data-testid="call-it">
      <div className="relative">
        <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100" data-testid="call-it-snippet">{snippet}</pre>
        <button className="btn absolute right-2 top-2 px-2 py-0.5 text-xs" onClick={copy}>{copied === "yes" ? "Copied" : "Copy"}</button>
      </div>
      {copied === "no" && <p className="text-xs text-slate-500">Select the snippet and press Ctrl+C.</p>}
      <p className="text-xs text-slate-600">
        Pin a label with <code className="kbd">model: &quot;{props.promptName}@production&quot;</code> (bypasses the release). The answer carries
        <code className="kbd mx-1">x-assay-call-id</code>,<code className="kbd mx-1">x-assay-version</code> and
        <code className="kbd mx-1">x-assay-arm</code>; send ratings to <code className="kbd">POST /feedback</code> with the call id.{" "}
        <Link href={inWorkspace("/settings/gateway-keys")} className="text-brand-700 hover:underline">Gateway keys</Link>
      </p>
    </div>
  );
}
