import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { CompareScreen } from "@/components/compare/compare-screen";
import { RunView } from "@/components/runs/run-view";
import type { RunDetailView } from "@/components/runs/types";
import { SharedFrame, SharedNotice } from "@/components/share/shared-frame";
import { SharedVersionView } from "@/components/share/shared-version";
import { AppError, unlessNotFound } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { shareAccess } from "@/lib/share-links/access";
import { sharedComparison, sharedRun, sharedVersion } from "@/lib/share-links/content";
import { recordShareView, resolveShareLink, type ShareLinkRecord } from "@/lib/share-links/service";
import { getSuite } from "@/lib/suites/suites";
import { runLabelMetrics } from "@/app/(app)/w/[workspace]/runs/[id]/label-metrics";

// A read-only link (issue #10): the same screens as inside the app, fed by the token-scoped API under
// /api/s/<token>/…, in a frame that names only the workspace the link comes from. A link that stopped working
// answers 404 (not-found.tsx says whether it expired or was revoked); a members-only link asks a visitor to sign in.

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Shared", robots: { index: false, follow: false } };

type Params = Promise<{ token: string }>;

export default async function SharedPage(props: { params: Params }) {
  const { token } = await props.params;
  const resolved = await resolveShareLink(token);
  if (!resolved.ok) notFound();
  const { link, workspace } = resolved;
  const access = await shareAccess(link, await headers());
  if (access === "signed-out") redirect(`/login?next=${encodeURIComponent(`/s/${token}`)}`);
  if (access === "not-member") {
    return (
      <SharedNotice title="You are not a member of this workspace" testId="share-not-member">
        This link is shared with the members of the workspace it comes from, and your account is not one of them. Ask whoever sent it for an invitation, or for a link anyone can open.
      </SharedNotice>
    );
  }
  // The view is counted (one UPDATE, one fsync) while the content loads, not before it; its failure still fails the page.
  const counting = recordShareView(link.id).then(
    () => null,
    (error: unknown) => error,
  );
  const page = await sharedContent(link, workspace.name, token);
  const failure = await counting;
  if (failure) throw failure;
  return page;
}

async function sharedContent(link: ShareLinkRecord, workspaceName: string, token: string) {
  const frame = { workspaceName, expiresOn: formatDate(link.expiresAt.toISOString()) };
  const apiBase = `/api/s/${token}`;

  if (link.resource === "version") {
    const version = await unlessNotFound(sharedVersion(link));
    if (!version) return <Gone {...frame} what="prompt version" />;
    return (
      <SharedFrame {...frame} title={<span>{version.promptName} <span className="font-normal text-slate-400">v{version.number}</span></span>} subtitle={version.promptDescription || undefined}>
        <SharedVersionView version={version} />
      </SharedFrame>
    );
  }

  if (link.resource === "run") {
    const run = await unlessNotFound(sharedRun(link, link.resourceId));
    if (!run) return <Gone {...frame} what="run" />;
    const suite = run.suiteId ? await unlessNotFound(getSuite(link.workspaceId, run.suiteId)) : null;
    const metrics = await runLabelMetrics(link.workspaceId, run, suite?.assertions ?? []);
    // Dates cross to the client component as ISO strings, as the API sends them.
    const view = JSON.parse(JSON.stringify(run)) as RunDetailView;
    return (
      <SharedFrame {...frame} title={<span data-testid="run-title">{run.name || `Run ${run.id.slice(-6)}`}</span>} subtitle={run.suiteName ? `on ${run.suiteName}` : undefined}>
        <RunView run={view} labelMetrics={metrics} canCancel={false} canResume={false} apiBase={apiBase} readOnly />
      </SharedFrame>
    );
  }

  return <SharedComparison link={link} frame={frame} apiBase={apiBase} />;
}

async function SharedComparison(props: { link: ShareLinkRecord; frame: { workspaceName: string; expiresOn: string }; apiBase: string }) {
  let comparison;
  try {
    comparison = await sharedComparison(props.link);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "not_found") return <Gone {...props.frame} what="comparison" />;
    return (
      <SharedFrame {...props.frame} title="Comparison">
        <div className="p-6">
          <div className="card mx-auto max-w-xl p-6" data-testid="compare-waiting">
            <h2 className="font-semibold">No results yet</h2>
            <p className="mt-1 text-sm text-slate-600">{error.message} Reload this page later.</p>
          </div>
        </div>
      </SharedFrame>
    );
  }
  const [variantA, variantB] = comparison.variants;
  const others = comparison.variants.length - 1;
  return (
    <SharedFrame
      {...props.frame}
      title={others === 1 ? <span>{variantA?.label} <span className="font-normal text-slate-400">vs</span> {variantB?.label}</span> : `${comparison.variants.length} variants against ${variantA?.label}`}
      subtitle={`${comparison.analysedCases.toLocaleString("en-US")} cases every variant ran${variantA?.suiteName ? ` · suite ${variantA.suiteName}` : ""}`}
    >
      <CompareScreen comparison={comparison} preferences={[]} connections={[]} canVote={false} canJudge={false} initialB={1} apiBase={props.apiBase} readOnly />
    </SharedFrame>
  );
}

function Gone(props: { workspaceName: string; expiresOn: string; what: string }) {
  return (
    <SharedFrame {...props}>
      <div className="p-8">
        <div className="card mx-auto max-w-xl p-6" role="alert" data-testid="share-gone">
          <h1 className="text-base font-semibold text-slate-900">This {props.what} was deleted</h1>
          <p className="mt-1 text-sm text-slate-600">The link still works, but what it pointed to no longer exists in the workspace.</p>
        </div>
      </div>
    </SharedFrame>
  );
}
