import Link from "next/link";

export default function NotFound() {
  return (
    <main className="login-main" id="main">
      <div className="card login-card">
        <h1>Not found</h1>
        <p>There is no such page.</p>
        <Link href="/">Back to Costgate</Link>
      </div>
    </main>
  );
}
