import Link from "next/link";
import { formatTime } from "@/lib/format";
import type { ReleaseSummary } from "@/lib/releases/types";
import { ArmsLine, ModeBadge, ReleaseStateBadge } from "./release-bits";

// The prompt page's "Releases" section: this prompt's releases, newest first, and the way to start one.

export function PromptReleases(props: { releases: ReleaseSummary[]; releasesPath: string; newPath: string; canManage: boolean; refusal: string | null }) {
  return (
    <section className="card mx-6 my-4" data-testid="prompt-releases">
      <div className="flex items-center justify-between border-b border-slate-100 px-4 py-2.5">
        <h2 className="text-sm font-semibold text-slate-800">Releases <span className="font-normal text-slate-500">· {props.releases.length}</span></h2>
        {props.canManage ? (
          <Link href={props.newPath} className="btn py-1 text-xs" data-testid="prompt-start-release-inline">Start a release</Link>
        ) : (
          <span className="text-xs text-slate-500">{props.refusal}</span>
        )}
      </div>
      {props.releases.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">
          No release yet. A release sends a new version to internal users first, then to a growing share of traffic through the gateway,
          and rolls it back by itself if it does worse than the version the label points at.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {props.releases.map((release) => (
            <li key={release.id} className="flex flex-wrap items-center gap-3 px-4 py-2 text-sm" data-testid="prompt-release-row">
              <Link href={`${props.releasesPath}/${release.id}`} className="font-medium text-brand-700 hover:underline">{formatTime(release.createdAt)}</Link>
              <ModeBadge mode={release.mode} />
              <ArmsLine arms={release.arms} mode={release.mode} />
              <ReleaseStateBadge state={release.state} />
              <span className="text-xs text-slate-500">{release.stageTitle}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
