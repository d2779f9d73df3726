import Link from "next/link";
import type { ReactNode } from "react";
import { NavLinks } from "@/components/nav-links";
import { SiteMenu } from "@/components/site-menu";
import { logoutAction } from "@/lib/actions/auth";
import { humanize } from "@/lib/format";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const me = await getMe();
  const links = [
    { href: "/", label: "Overview" },
    { href: "/budgets", label: "Budgets" },
    { href: "/spend", label: "Spend" },
    { href: "/models", label: "Models" },
    { href: "/policies", label: "Policies" },
    { href: "/jobs", label: "Jobs" },
    { href: "/admin/hardware", label: "Hardware" },
    { href: "/admin/users", label: me.role === "ADMIN" ? "Users & keys" : "API keys" },
    ...(can(me.role, "manageWebhooks") ? [{ href: "/admin/webhooks", label: "Webhooks" }] : []),
    { href: "/admin/audit", label: "Audit log" },
  ];
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link href="/" className="brand">
            Costgate
          </Link>
          <SiteMenu>
            <nav className="main-nav" aria-label="Main">
              <NavLinks links={links} />
            </nav>
            <div className="user-box">
              <span className="user-id">
                <span className="user-name">{me.name}</span>
                <span className="user-role">
                  {humanize(me.role)}
                  {me.team ? ` · ${me.team.name}` : ""}
                </span>
              </span>
              <form action={logoutAction}>
                <button type="submit" className="button small">
                  Sign out
                </button>
              </form>
            </div>
          </SiteMenu>
        </div>
      </header>
      <main className="app-main" id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
