// Checks of what a browser sends that decide where it goes or whether a write is accepted.

const BASE = "http://costgate.invalid";

/**
 * Only same-site paths: never redirect to another origin after login. Refuses anything a
 * browser could read as another host once decoded (`//x`, `/\x`, `/%5Cx`), control characters,
 * and /login itself.
 */
export function safeNext(next: FormDataEntryValue | string | null | undefined): string {
  const value = typeof next === "string" ? next : "";
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return "/";
  }
  for (const v of [value, decoded]) {
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (!v.startsWith("/") || v.startsWith("//") || v.includes("\\") || /[\u0000-\u001f\u007f]/.test(v)) return "/";
    const url = new URL(v, BASE);
    if (url.origin !== BASE || url.pathname === "/login" || url.pathname.startsWith("/login/")) return "/";
  }
  return value;
}

/**
 * Whether a state-changing request comes from a page of this dashboard: its Origin must name the
 * host the request was sent to (behind a TLS proxy, with the scheme it forwards). SameSite=Lax
 * cookies already keep other sites' POSTs unauthenticated; this refuses them outright.
 */
export function isSameOrigin(headers: Headers): boolean {
  const origin = headers.get("origin");
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!origin || origin === "null" || !host) return false;
  try {
    const url = new URL(origin);
    const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
    return url.host === host && (!proto || url.protocol === `${proto}:`);
  } catch {
    return false;
  }
}
