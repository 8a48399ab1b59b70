import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SetupForm } from "@/components/auth/setup-form";
import { hasAnyUser } from "@/lib/auth/session";
import { configuredExposure, setupTokenRequired } from "@/lib/workspaces/setup-token";

export const dynamic = "force-dynamic";
export const metadata = { title: "Set up" };

export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  if (await hasAnyUser()) redirect("/login");
  const { token } = await searchParams;
  return (
    <AuthCard title="Welcome to Assay" subtitle="Create the owner account and your first workspace. You can invite teammates afterwards.">
      <SetupForm tokenRequired={setupTokenRequired(configuredExposure())} token={typeof token === "string" ? token : ""} />
    </AuthCard>
  );
}
