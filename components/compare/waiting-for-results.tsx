"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// Right after an ablation (or any run) starts, its variants have no results yet: wait here and show the comparison
// as soon as there is something to compare.
export function WaitingForResults({ message }: { message: string }) {
  const inWorkspace = useWorkspacePath();
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [router]);
  return (
    <div className="p-6">
      <div className="card mx-auto flex max-w-xl items-start gap-3 p-6" data-testid="compare-waiting">
        <span className="mt-1 h-3 w-3 shrink-0 animate-pulse rounded-full bg-sky-500" aria-hidden />
        <div>
          <h2 className="font-semibold">Waiting for the first results</h2>
          <p className="mt-1 text-sm text-slate-600">{message} This page refreshes on its own.</p>
          <Link className="btn mt-4" href={inWorkspace("/runs")}>See runs in progress</Link>
        </div>
      </div>
    </div>
  );
}
