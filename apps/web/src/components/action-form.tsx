"use client";
// The one way the dashboard's forms submit to a server action. React resets a <form action={fn}>
// after its action returns, success or not: uncontrolled fields fall back to their first
// defaultValue (a <select> ignores a later one) and controlled ones keep their React state while
// the browser shows the default (the policy form showed "Prune" for a Fine-tune step and an
// unchecked "Accuracy-aware"). Submitting from onSubmit in a transition leaves the fields exactly as
// the person left them; `useFormStatus` still sees the submission (React marks the form pending
// when a submit handler starts a transition), and without JavaScript the form still posts `action`.
import { startTransition, useEffect, useRef, type FormEvent, type FormHTMLAttributes, type ReactNode } from "react";

type FormProps = Omit<FormHTMLAttributes<HTMLFormElement>, "action" | "onSubmit" | "children">;

export function ActionForm({
  action,
  state,
  resetOnSuccess = false,
  children,
  ...form
}: FormProps & {
  /** The dispatch function of useActionState. */
  action: (data: FormData) => void;
  /** The action's last result: with resetOnSuccess, an ok result empties the form for the next entry. */
  state?: { ok: boolean };
  resetOnSuccess?: boolean;
  children: ReactNode;
}) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (resetOnSuccess && state?.ok) ref.current?.reset();
  }, [resetOnSuccess, state]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    startTransition(() => action(data));
  }

  return (
    <form ref={ref} {...form} action={action} onSubmit={onSubmit}>
      {children}
    </form>
  );
}
