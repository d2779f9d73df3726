"use client";
import { ActionForm } from "@/components/action-form";
import { useActionState } from "react";
import { FormMessage, SubmitButton, TextField } from "@/components/form";
import { initialState } from "@/lib/form-state";
import { loginAction } from "@/lib/actions/auth";

export function LoginForm({ next }: { next: string }) {
  const [state, action] = useActionState(loginAction, initialState);
  return (
    <ActionForm action={action} state={state} className="form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="next" value={next} />
      <TextField
        id="email"
        name="email"
        type="email"
        label="Email"
        autoComplete="username"
        defaultValue={state.values?.email ?? ""}
        error={state.fieldErrors?.email}
        autoFocus
      />
      <TextField
        id="password"
        name="password"
        type="password"
        label="Password"
        autoComplete="current-password"
        error={state.fieldErrors?.password}
      />
      <div>
        <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
      </div>
    </ActionForm>
  );
}
