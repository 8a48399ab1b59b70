"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

// Share links is area 4's page (settings/share-links); it is listed here so the settings stay one place.
const TABS = [
  { path: "/settings", label: "General", testId: "settings-tab-general" },
  { path: "/settings/members", label: "Members", testId: "settings-tab-members" },
  { path: "/settings/share-links", label: "Share links", testId: "settings-tab-share-links" },
  { path: "/settings/gateway-keys", label: "Gateway keys", testId: "settings-tab-gateway-keys" },
];

export function SettingsNav() {
  const pathname = usePathname();
  const inWorkspace = useWorkspacePath();
  return (
    <nav className="-mb-px flex gap-4" aria-label="Settings">
      {TABS.map((tab) => {
        const href = inWorkspace(tab.path);
        const active = pathname === href;
        return (
          <Link
            key={tab.path}
            href={href}
            data-testid={tab.testId}
            aria-current={active ? "page" : undefined}
            className={`border-b-2 px-1 py-2.5 text-sm ${active ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-800"}`}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
