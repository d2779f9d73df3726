"use client";
import { useActionState, useState } from "react";
import { Dialog } from "@/components/dialog";
import { FormMessage, SubmitButton } from "@/components/form";
import { deleteWebhookAction } from "@/lib/actions/admin";
import { initialState } from "@/lib/form-state";

/** Delete behind a confirmation: the webhook, its deliveries and their attempts go. */
export function DeleteWebhook({ id, url, describedBy }: { id: string; url: string; describedBy?: string }) {
  const [open, setOpen] = useState(false);
  const [state, action] = useActionState(deleteWebhookAction, initialState);
  return (
    <>
      <button type="button" className="button danger" onClick={() => setOpen(true)} aria-haspopup="dialog" aria-describedby={describedBy}>
        Delete
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Delete this webhook?">
        <p style={{ margin: 0, overflowWrap: "anywhere" }}>
          Costgate stops sending events to {url}. Its delivery history is deleted with it, and deliveries still waiting for a retry are dropped. This cannot be undone.
        </p>
        <form action={action}>
          <FormMessage state={state} />
          <input type="hidden" name="id" value={id} />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Keep it
            </button>
            <SubmitButton className="button danger" pendingText="Deleting…">
              Delete webhook
            </SubmitButton>
          </div>
        </form>
      </Dialog>
    </>
  );
}
