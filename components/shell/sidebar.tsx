"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { InboxBell } from "@/components/inbox/inbox-bell";
import { SignOutButton } from "./sign-out-button";
import { useWorkspacePath } from "./use-workspace-path";
import { WorkspaceSwitcher, type SwitcherWorkspace } from "./workspace-switcher";

const NAV = [
  { href: "/prompts", label: "Prompts", icon: "✎" },
  { href: "/suites", label: "Suites", icon: "☰" },
  { href: "/runs", label: "Runs", icon: "▶" },
  { href: "/compare", label: "Compare", icon: "⇄" },
  { href: "/releases", label: "Releases", icon: "⇪" },
  { href: "/distill", label: "Distill", icon: "⚗" },
  { href: "/reviews", label: "Reviews", icon: "✓" },
  { href: "/activity", label: "Activity", icon: "◷" },
  { href: "/connections", label: "Connections", icon: "⚡" },
  { href: "/models", label: "Local models", icon: "▣" },
  { href: "/settings", label: "Settings", icon: "⚙" },
];

export function Sidebar(props: {
  workspaceName: string;
  workspaceSlug: string;
  workspaces: SwitcherWorkspace[];
  userName: string;
  userEmail: string;
  role: string;
}) {
  const pathname = usePathname();
  const inWorkspace = useWorkspacePath();
  return (
    <aside className="flex w-52 shrink-0 flex-col border-r border-slate-200 bg-white" data-testid="sidebar">
      <div className="flex items-center gap-1 border-b border-slate-100 px-3 py-2">
        <div className="min-w-0 flex-1">
          <WorkspaceSwitcher current={props.workspaceSlug} workspaces={props.workspaces} />
        </div>
        <InboxBell />
      </div>
      <nav className="flex-1 space-y-0.5 p-2">
        {NAV.map((item) => {
          const href = inWorkspace(item.href);
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <Link
              key={item.href}
              href={href}
              className={`flex items-center gap-2 rounded-md px-2.5 py-1.5 text-sm ${active ? "bg-brand-50 font-medium text-brand-700" : "text-slate-700 hover:bg-slate-100"}`}
            >
              <span className="w-4 text-center text-slate-400" aria-hidden>{item.icon}</span>
              {item.label}
            </Link>
          );
        })}
      </nav>
      <div className="border-t border-slate-100 p-3 text-xs">
        <div className="truncate font-medium text-slate-700">{props.userName}</div>
        <div className="truncate text-slate-500">{props.userEmail} · {props.role}</div>
        <div className="mt-2">
          <SignOutButton />
        </div>
      </div>
    </aside>
  );
}
