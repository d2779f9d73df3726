"use client";
// A modal dialog on the native <dialog> element: focus is trapped and restored by the browser,
// Escape closes it.
import { useEffect, useRef, type ReactNode } from "react";

export function Dialog({
  open,
  onClose,
  title,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const titleId = `dialog-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      {open ? (
        <div className="dialog-body">
          <h2 id={titleId} style={{ margin: 0 }}>
            {title}
          </h2>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}
