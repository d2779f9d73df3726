// Sends visitors without a session cookie to /login (keeping where they wanted to go). Whether the
// token is still valid is checked by the API on every call; pages redirect to /login when it is not.
import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE } from "./lib/config";

export function proxy(request: NextRequest) {
  if (request.cookies.get(SESSION_COOKIE)?.value) return NextResponse.next();
  if (request.nextUrl.pathname.startsWith("/api/")) {
    return NextResponse.json({ error: { code: "UNAUTHENTICATED", message: "Sign in first" } }, { status: 401 });
  }
  const url = request.nextUrl.clone();
  const wanted = request.nextUrl.pathname + request.nextUrl.search;
  url.pathname = "/login";
  url.search = wanted && wanted !== "/" ? `?next=${encodeURIComponent(wanted)}` : "";
  return NextResponse.redirect(url);
}

export const config = {
  // Route handlers under /api check the session themselves (and uploads must stream, unbuffered).
  matcher: ["/((?!login|api/|_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
