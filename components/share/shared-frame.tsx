import type { ReactNode } from "react";

// The frame of a shared page (/s/<token>): no sidebar, no workspace switcher, nothing of the visitor's own
// workspaces — only where the page comes from, that it is read-only, and until when the link works.

export function SharedFrame(props: { workspaceName?: string; expiresOn?: string; title?: ReactNode; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <div className="flex min-h-full flex-col bg-slate-50">
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 bg-white px-6 py-2.5 text-sm" data-testid="shared-header">
        <span className="flex items-center gap-2">
          <span className="flex h-6 w-6 items-center justify-center rounded-md bg-brand-600 text-xs font-bold text-white">A</span>
          <span className="font-semibold tracking-tight text-slate-900">Assay</span>
        </span>
        {props.workspaceName && (
          <span className="text-slate-500">
            Shared from <strong className="font-medium text-slate-800">{props.workspaceName}</strong>
            <span className="mx-1.5 text-slate-300">·</span>
            <span className="badge bg-slate-100 text-slate-600">read-only</span>
            {props.expiresOn && (
              <>
                <span className="mx-1.5 text-slate-300">·</span>
                expires {props.expiresOn}
              </>
            )}
          </span>
        )}
      </header>
      {props.title && (
        <div className="border-b border-slate-200 bg-white px-6 py-4">
          <h1 className="truncate text-lg font-semibold tracking-tight" data-testid="shared-title">{props.title}</h1>
          {props.subtitle && <div className="mt-0.5 text-sm text-slate-500">{props.subtitle}</div>}
        </div>
      )}
      <main className="min-w-0 flex-1">{props.children}</main>
    </div>
  );
}

/** A full-page message in the shared frame: an expired, revoked or unknown link, or a visitor who may not see it. */
export function SharedNotice(props: { title: string; children: ReactNode; testId: string }) {
  return (
    <SharedFrame>
      <div className="p-8">
        <div className="card mx-auto max-w-xl p-6" role="alert" data-testid={props.testId}>
          <h1 className="text-base font-semibold text-slate-900">{props.title}</h1>
          <div className="mt-1 text-sm text-slate-600">{props.children}</div>
        </div>
      </div>
    </SharedFrame>
  );
}
