// The client address the dashboard forwards to the API (X-Forwarded-For), which counts failed
// logins per address. `next start` keeps whatever X-Forwarded-For the client sent, so a browser
// could choose the address it is counted under. This server decides it instead: the TCP peer's
// address, or, when the peer is a proxy listed in DASHBOARD_TRUST_PROXY, the nearest address in
// X-Forwarded-For that no trusted proxy added (the first untrusted hop, as Express and the API
// read it). Nothing further left in the header is believed.
import proxyaddr from "proxy-addr";

/**
 * DASHBOARD_TRUST_PROXY: "false" or empty (the default: no proxy in front), or a comma-separated
 * list of the addresses or CIDRs of proxies you run, or proxy-addr's names loopback, linklocal,
 * uniquelocal. Throws on a value proxy-addr cannot read, naming it.
 */
export function trustFrom(setting) {
  const value = (setting ?? "").trim();
  if (value === "" || value === "false") return () => false;
  try {
    return proxyaddr.compile(
      value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
  } catch (e) {
    throw new Error(
      `DASHBOARD_TRUST_PROXY: ${e.message} (got "${value}"; use addresses, CIDRs, loopback, linklocal, uniquelocal or false)`,
      { cause: e },
    );
  }
}

/** Replaces X-Forwarded-For with the one client address this request is counted under. */
export function setClientAddress(req, trust) {
  const address = proxyaddr(req, trust);
  if (address) req.headers["x-forwarded-for"] = address;
  else delete req.headers["x-forwarded-for"];
}
