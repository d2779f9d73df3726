"use client";
import { useEffect } from "react";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    // Logged once for whoever debugs it; the server log has the details under the digest.
    console.warn("page error", error.digest ?? error.message);
  }, [error]);
  return (
    <div>
      <div className="page-header">
        <h1>This page could not be shown</h1>
      </div>
      <div className="alert error" role="alert">
        <p>
          {process.env.NODE_ENV === "development"
            ? error.message
            : "The dashboard could not load this page from the Costgate API. It may be restarting, or the request was refused."}
        </p>
        {error.digest ? <p className="small">Reference: {error.digest}</p> : null}
      </div>
      <button type="button" className="button primary" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
