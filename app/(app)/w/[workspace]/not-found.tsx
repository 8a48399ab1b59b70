"use client";
import Link from "next/link";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// What notFound() shows inside the app's frame (a prompt, run or suite id that does not exist in this workspace, or
// was deleted): where to go instead, not Next's bare "404".
export default function NotFound() {
  const inWorkspace = useWorkspacePath();
  return (
    <div className="p-8" data-testid="page-not-found">
      <div className="card max-w-xl p-6 text-sm text-slate-700">
        <h1 className="mb-1 text-base font-semibold text-slate-900">Not found in this workspace</h1>
        <p>
          This link points to something that does not exist here: it was deleted, or it belongs to another workspace.
        </p>
        <p className="mt-3 flex gap-4">
          <Link className="text-blue-700 hover:underline" href={inWorkspace("/prompts")}>Prompts</Link>
          <Link className="text-blue-700 hover:underline" href={inWorkspace("/suites")}>Suites</Link>
          <Link className="text-blue-700 hover:underline" href={inWorkspace("/runs")}>Runs</Link>
        </p>
      </div>
    </div>
  );
}
