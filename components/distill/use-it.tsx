"use client";
import Link from "next/link";
import { useState } from "react";
import { CodeSnippet } from "@/components/shell/code-snippet";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// How to call the student (or the cascade) once it is done: the model names on the Local models connection, and the
// official `openai` SDK pointed at the model server — the same snippet style as a release's "Call it".

export function studentSnippet(props: { modelServerUrl: string; model: string }): string {
  return `import OpenAI from "openai";

const client = new OpenAI({
  baseURL: "${props.modelServerUrl}",
  apiKey: process.env.ASSAY_MODEL_KEY, // the workspace's model server key
});

const completion = await client.chat.completions.create({
  model: ${JSON.stringify(props.model)},
  messages: [{ role: "user", content: "…the prompt's rendered text…" }],
  logprobs: true, top_logprobs: 3, // the student's class probabilities
});
console.log(completion.choices[0].message.content);`;
}

export function curlSnippet(props: { modelServerUrl: string; model: string }): string {
  return `curl ${props.modelServerUrl}/chat/completions \\
  -H "authorization: Bearer $ASSAY_MODEL_KEY" -H "content-type: application/json" \\
  -d '{"model": ${JSON.stringify(props.model)}, "messages": [{"role": "user", "content": "…"}]}'`;
}

export function UseIt(props: { models: string[]; modelServerUrl: string }) {
  const inWorkspace = useWorkspacePath();
  const [model, setModel] = useState(props.models[0] ?? "");
  const [form, setForm] = useState<"sdk" | "curl">("sdk");
  const snippet = form === "sdk" ? studentSnippet({ modelServerUrl: props.modelServerUrl, model }) : curlSnippet({ modelServerUrl: props.modelServerUrl, model });


  return (
    <div className="space-y-2" data-testid="use-it">
      <p className="text-sm text-slate-700">
        On the <Link href={inWorkspace("/connections")} className="text-brand-700 hover:underline">Local models</Link> connection, in the playground,
        suites, comparisons and releases like any model:{" "}
        {props.models.map((name) => (
          <button
            key={name}
            type="button"
            onClick={() => setModel(name)}
            className={`kbd mr-1 ${name === model ? "ring-2 ring-brand-500" : ""}`}
            data-testid="use-it-model"
          >
            {name}
          </button>
        ))}
      </p>
      <div className="flex overflow-hidden rounded-md border border-slate-200 text-xs w-fit">
        {(["sdk", "curl"] as const).map((option) => (
          <button key={option} type="button" onClick={() => setForm(option)} className={`px-2 py-0.5 ${form === option ? "bg-slate-800 text-white" : "bg-white text-slate-600 hover:bg-slate-50"}`}>
            {option === "sdk" ? "openai SDK" : "curl"}
          </button>
        ))}
      </div>
      <CodeSnippet snippet={snippet} testId="use-it-snippet" />
      <p className="text-xs text-slate-600">
        <code className="kbd">cascade:</code> answers from the student when its confidence is at least the threshold below and asks the teacher otherwise.
      </p>
    </div>
  );
}
