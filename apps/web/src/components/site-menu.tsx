"use client";
import { usePathname } from "next/navigation";
import { useRef, useState, type ReactNode } from "react";

/**
 * The header's navigation and user box. On a wide screen they sit in the header row; on a phone
 * (≤ 640 px, globals.css) they fold behind a "Menu" button (aria-expanded, Escape closes it and puts
 * focus back on the button), and following a link closes it.
 */
export function SiteMenu({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  // Open on the page where it was opened: navigating elsewhere closes it without an effect.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={button}
        type="button"
        className="menu-button"
        aria-expanded={open}
        aria-controls="site-menu"
        onClick={() => setOpenOn(open ? null : pathname)}
      >
        <span aria-hidden="true" className="menu-icon" />
        Menu
      </button>
      <div
        id="site-menu"
        className="site-menu"
        data-open={open}
        onKeyDown={(event) => {
          if (event.key === "Escape" && open) {
            setOpenOn(null);
            button.current?.focus();
          }
        }}
      >
        {children}
      </div>
    </>
  );
}
