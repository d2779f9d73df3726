import Link from "next/link";

export default function NotFound() {
  return (
    <div>
      <div className="page-header">
        <h1>Not found</h1>
      </div>
      <p>There is nothing here, or it belongs to another team.</p>
      <Link href="/">Back to the overview</Link>
    </div>
  );
}
