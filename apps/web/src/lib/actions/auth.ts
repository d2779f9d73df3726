"use server";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { ApiError, request } from "../api";
import type { ActionState } from "../form-state";
import { SESSION_COOKIE } from "../config";
import { LoginMutation, LogoutMutation } from "../operations";
import { safeNext } from "../request-guards";

/**
 * Secure cookies in production (and over HTTPS anywhere), unless COSTGATE_COOKIE_SECURE=0 says
 * the dashboard is served over plain HTTP on purpose (a local production build, the e2e tests).
 */
async function secureCookies(): Promise<boolean> {
  if (process.env.COSTGATE_COOKIE_SECURE === "1") return true;
  if (process.env.COSTGATE_COOKIE_SECURE === "0") return false;
  if (process.env.NODE_ENV === "production") return true;
  const h = await headers();
  return h.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

export async function loginAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const fieldErrors: Record<string, string> = {};
  if (!email) fieldErrors.email = "Enter your email address";
  if (!password) fieldErrors.password = "Enter your password";
  if (Object.keys(fieldErrors).length) return { ok: false, fieldErrors, values: { email } };

  let login;
  try {
    ({ login } = await request(LoginMutation, { email, password }, null));
  } catch (error) {
    const message =
      // The API says "deactivated" only after the password matched: the person may know that.
      error instanceof ApiError && error.code === "UNAUTHENTICATED" && /deactivated/.test(error.message)
        ? error.message
        : error instanceof ApiError && error.code === "UNAUTHENTICATED"
          ? "That email and password do not match an account."
          : error instanceof ApiError
            ? error.message
            : "Could not sign in.";
    return { ok: false, message, values: { email } };
  }
  const expires = new Date(login.expiresAt);
  (await cookies()).set(SESSION_COOKIE, login.token, {
    httpOnly: true,
    sameSite: "lax",
    secure: await secureCookies(),
    path: "/",
    expires: Number.isNaN(expires.getTime()) ? undefined : expires,
  });
  redirect(safeNext(form.get("next")));
}

/** Ends the session at the API (its token is refused from then on), then forgets the cookie. */
export async function logoutAction(): Promise<void> {
  try {
    await request(LogoutMutation, {});
  } catch {
    // Already ended or expired, or the API is down: the cookie goes either way.
  }
  (await cookies()).delete(SESSION_COOKIE);
  redirect("/login");
}
