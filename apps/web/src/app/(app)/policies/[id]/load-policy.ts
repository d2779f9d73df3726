import { notFound } from "next/navigation";
import { query } from "@/lib/api";
import { PolicyQuery } from "@/lib/operations";

/**
 * The policy of the page, or the not-found page: for an id that does not exist (the API answers
 * null) and for another team's policy (query() maps FORBIDDEN to not found as well).
 */
export async function loadPolicy(id: string) {
  const { optimizationPolicy } = await query(PolicyQuery, { id });
  if (!optimizationPolicy) notFound();
  return optimizationPolicy;
}
