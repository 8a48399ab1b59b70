import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { LoginForm } from "@/components/auth/login-form";
import { hasAnyUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in" };

export default async function LoginPage() {
  if (!(await hasAnyUser())) redirect("/setup");
  return (
    <AuthCard title="Sign in" subtitle="Use the account your workspace admin created for you.">
      <LoginForm />
    </AuthCard>
  );
}
