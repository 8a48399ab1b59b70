"use client";
import Link from "next/link";
import { CodeSnippet } from "@/components/shell/code-snippet";
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
  const snippet = callSnippet(props);


  return (
    <div className="space-y-2" data-testid="call-it">
      <CodeSnippet snippet={snippet} testId="call-it-snippet" />
      <p className="text-xs text-slate-600">
        Pin a label with <code className="kbd">model: &quot;{props.promptName}@production&quot;</code> (bypasses the release). The answer carries
        <code className="kbd mx-1">x-assay-call-id</code>,<code className="kbd mx-1">x-assay-version</code> and
        <code className="kbd mx-1">x-assay-arm</code>; send ratings to <code className="kbd">POST /feedback</code> with the call id.{" "}
        <Link href={inWorkspace("/settings/gateway-keys")} className="text-brand-700 hover:underline">Gateway keys</Link>
      </p>
    </div>
  );
}
