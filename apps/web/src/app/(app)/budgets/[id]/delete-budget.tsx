"use client";
import { useActionState, useState } from "react";
import { Dialog } from "@/components/dialog";
import { FormMessage, SubmitButton } from "@/components/form";
import { deleteBudgetAction } from "@/lib/actions/budgets";
import { initialState } from "@/lib/form-state";

export function DeleteBudget({ id, name }: { id: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [state, action] = useActionState(deleteBudgetAction, initialState);
  return (
    <>
      <button type="button" className="button danger" onClick={() => setOpen(true)} aria-haspopup="dialog">
        Delete
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Delete this budget?">
        <p>
          “{name}” and its alerts will be deleted. Spend records stay. This cannot be undone.
        </p>
        <form action={action}>
          <FormMessage state={state} />
          <input type="hidden" name="id" value={id} />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Keep it
            </button>
            <SubmitButton className="button danger" pendingText="Deleting…">
              Delete budget
            </SubmitButton>
          </div>
        </form>
      </Dialog>
    </>
  );
}
