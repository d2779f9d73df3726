"use client";
import { ActionForm } from "@/components/action-form";
import { useActionState, useState, type ReactNode } from "react";
import { Dialog } from "@/components/dialog";
import { FormMessage, SubmitButton } from "@/components/form";
import { initialState, type ActionState } from "@/lib/form-state";

/**
 * A Delete button that asks first: a dialog says what goes (`children`), and only its own
 * button runs `action` (a server action given the row's id as the form field `id`).
 */
export function ConfirmDelete({
  id,
  what,
  action,
  describedBy,
  children,
}: {
  id: string;
  /** "budget", "webhook": the dialog asks "Delete this <what>?" and its button says "Delete <what>". */
  what: string;
  action: (prev: ActionState, form: FormData) => Promise<ActionState>;
  describedBy?: string;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [state, formAction] = useActionState(action, initialState);
  return (
    <>
      <button
        type="button"
        className="button danger"
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
        aria-describedby={describedBy}
      >
        Delete
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Delete this ${what}?`}>
        <p style={{ margin: 0, overflowWrap: "anywhere" }}>{children}</p>
        <ActionForm action={formAction} state={state}>
          <FormMessage state={state} />
          <input type="hidden" name="id" value={id} />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Keep it
            </button>
            <SubmitButton className="button danger" pendingText="Deleting…">
              Delete {what}
            </SubmitButton>
          </div>
        </ActionForm>
      </Dialog>
    </>
  );
}
