import type { Metadata } from "next";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; expired?: string }>;
}) {
  const { next, expired } = await searchParams;
  return (
    <main className="login-main" id="main">
      <div className="card login-card">
        <p className="brand-dark">Costgate</p>
        <h1>Sign in</h1>
        <p className="muted">Inference spend of your TensorFlow.js models, kept inside budget.</p>
        {expired ? (
          <div className="alert info" role="status">
            Your session has ended. Sign in again.
          </div>
        ) : null}
        <LoginForm next={next ?? ""} />
      </div>
    </main>
  );
}
