"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { switchWorkspacePath } from "@/lib/workspaces/switch-path";

export interface SwitcherWorkspace {
  id: string;
  name: string;
  slug: string;
  role: string;
}

/** The sidebar's header: the current workspace, and a menu of mine with my role in each; switching keeps the area. */
export function WorkspaceSwitcher(props: { current: string; workspaces: SwitcherWorkspace[] }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const current = props.workspaces.find((workspace) => workspace.slug === props.current);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  return (
    <div className="relative" ref={root}>
      <button
        type="button"
        onClick={() => setOpen(!open)}
        aria-haspopup="menu"
        aria-expanded={open}
        className="flex w-full items-center gap-2 rounded-md px-1 py-1 text-left hover:bg-slate-100"
        data-testid="workspace-switcher"
      >
        <div className="flex h-7 w-7 shrink-0 items-center justify-center rounded-md bg-brand-600 text-sm font-bold text-white">A</div>
        <div className="min-w-0 flex-1">
          <div className="text-sm font-semibold leading-tight">Assay</div>
          <div className="truncate text-xs text-slate-500" title={current?.name} data-testid="current-workspace">{current?.name ?? props.current}</div>
        </div>
        <span className="text-xs text-slate-400" aria-hidden>▾</span>
      </button>
      {open && (
        <div role="menu" className="absolute left-0 right-0 z-20 mt-1 min-w-56 rounded-md border border-slate-200 bg-white py-1 shadow-lg" data-testid="workspace-menu">
          <div className="px-3 pb-1 pt-1.5 text-[11px] font-medium uppercase tracking-wide text-slate-400">Workspaces</div>
          {props.workspaces.map((workspace) => (
            <Link
              key={workspace.id}
              role="menuitem"
              href={switchWorkspacePath(pathname, workspace.slug)}
              onClick={() => setOpen(false)}
              className={`flex items-center gap-2 px-3 py-1.5 text-sm hover:bg-slate-50 ${workspace.slug === props.current ? "font-medium text-brand-700" : "text-slate-700"}`}
              data-testid="workspace-option"
              data-slug={workspace.slug}
            >
              <span className="w-3 text-xs" aria-hidden>{workspace.slug === props.current ? "✓" : ""}</span>
              <span className="min-w-0 flex-1 truncate">{workspace.name}</span>
              <span className="badge bg-slate-100 text-slate-600">{workspace.role}</span>
            </Link>
          ))}
          <div className="my-1 border-t border-slate-100" />
          <Link role="menuitem" href="/w/new" className="flex items-center gap-2 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50" data-testid="new-workspace">
            <span className="w-3 text-xs" aria-hidden>+</span> New workspace
          </Link>
        </div>
      )}
    </div>
  );
}
