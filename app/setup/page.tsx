import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SetupForm } from "@/components/auth/setup-form";
import { hasAnyUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";
export const metadata = { title: "Set up" };

export default async function SetupPage() {
  if (await hasAnyUser()) redirect("/login");
  return (
    <AuthCard title="Welcome to Assay" subtitle="Create the owner account and your first workspace. You can invite teammates afterwards.">
      <SetupForm />
    </AuthCard>
  );
}
