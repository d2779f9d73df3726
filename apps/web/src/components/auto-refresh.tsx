"use client";
// Re-renders the server component page every `intervalMs` while `active` (a job that is still
// QUEUED or RUNNING), so progress shows live without a client-side API token.
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function AutoRefresh({ active, intervalMs = 1500 }: { active: boolean; intervalMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, router]);
  return null;
}
