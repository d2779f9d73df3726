"use client";
import { ActionForm } from "@/components/action-form";
import { useActionState, useState, useTransition } from "react";
import { Dialog } from "@/components/dialog";
import { CheckField, FormMessage, SelectField, SubmitButton, TextField } from "@/components/form";
import {
  createApiKeyAction,
  createTeamAction,
  createUserAction,
  revokeApiKeyAction,
  updateUserAction,
} from "@/lib/actions/admin";
import { initialState } from "@/lib/form-state";
import { useRouter } from "next/navigation";

const ROLES = [
  { value: "VIEWER", label: "Viewer (reads only)" },
  { value: "FINANCE", label: "Finance (budgets, hardware, webhooks)" },
  { value: "ML_ENGINEER", label: "ML engineer (models, policies, jobs, usage)" },
  { value: "ADMIN", label: "Admin (everything, every team)" },
];

type Opt = { value: string; label: string };

export function UserForm({ teams }: { teams: Opt[] }) {
  const [state, action] = useActionState(createUserAction, initialState);
  const v = state.ok ? {} : (state.values ?? {});
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="form" noValidate>
      <FormMessage state={state} />
      <TextField
        id="user-email"
        name="email"
        type="email"
        label="Email"
        defaultValue={v.email ?? ""}
        error={e.email}
        autoComplete="off"
      />
      <TextField
        id="user-name"
        name="name"
        label="Full name"
        defaultValue={v.name ?? ""}
        error={e.name}
        autoComplete="off"
      />
      <TextField
        id="user-password"
        name="password"
        type="password"
        label="Initial password"
        error={e.password}
        autoComplete="new-password"
        hint="At least 12 characters; share it with the person safely."
      />
      <SelectField
        id="user-role"
        name="role"
        label="Role"
        options={ROLES}
        defaultValue={v.role ?? "VIEWER"}
        error={e.role}
      />
      <SelectField
        id="user-team"
        name="teamId"
        label="Team"
        placeholder="No team"
        options={teams}
        defaultValue={v.teamId ?? ""}
      />
      <div>
        <SubmitButton pendingText="Creating…">Create user</SubmitButton>
      </div>
    </ActionForm>
  );
}

export function TeamForm() {
  const [state, action] = useActionState(createTeamAction, initialState);
  const v = state.ok ? {} : (state.values ?? {});
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="form" noValidate>
      <FormMessage state={state} />
      <TextField id="team-name" name="name" label="Team name" defaultValue={v.name ?? ""} error={e.name} />
      <TextField
        id="team-slug"
        name="slug"
        label="Slug"
        defaultValue={v.slug ?? ""}
        error={e.slug}
        hint="Lowercase letters, digits and dashes."
      />
      <div>
        <SubmitButton pendingText="Creating…">Create team</SubmitButton>
      </div>
    </ActionForm>
  );
}

export function ApiKeyForm({
  teams,
  defaultTeamId,
  isAdmin,
}: {
  teams: Opt[];
  defaultTeamId: string;
  isAdmin: boolean;
}) {
  const [state, action] = useActionState(createApiKeyAction, initialState);
  const [copied, setCopied] = useState(false);
  const v = state.ok ? {} : (state.values ?? {});
  const e = state.fieldErrors ?? {};
  const secret = state.ok && typeof state.data?.secret === "string" ? state.data.secret : null;
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="form" noValidate>
      <FormMessage state={state} />
      {secret ? (
        <div className="alert warning" role="status">
          <p>
            <strong>Copy the secret now:</strong> it is shown only once; Costgate keeps only a hash.
          </p>
          <div className="secret">
            <code aria-label="API key secret">{secret}</code>
            <button
              type="button"
              className="button"
              onClick={async () => {
                await navigator.clipboard.writeText(secret);
                setCopied(true);
              }}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
        </div>
      ) : null}
      <TextField
        id="key-name"
        name="name"
        label="Key name"
        defaultValue={v.name ?? ""}
        error={e.name}
        hint="What uses it, e.g. serving-gateway."
      />
      <SelectField
        id="key-role"
        name="role"
        label="Key role"
        options={ROLES.filter((r) => isAdmin || r.value !== "ADMIN")}
        defaultValue={v.role ?? "ML_ENGINEER"}
        error={e.role}
      />
      <SelectField
        id="key-team"
        name="teamId"
        label="Key team"
        placeholder={isAdmin ? "No team" : undefined}
        options={teams}
        defaultValue={v.teamId ?? defaultTeamId}
      />
      <div>
        <SubmitButton pendingText="Creating…">Create API key</SubmitButton>
      </div>
    </ActionForm>
  );
}

export function RevokeKeyButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <button
      type="button"
      className="button small"
      disabled={pending}
      aria-label={`Revoke key ${name}`}
      onClick={() =>
        start(async () => {
          if (!window.confirm(`Revoke the key “${name}”? Tools using it stop working at once.`)) return;
          await revokeApiKeyAction(id);
          router.refresh();
        })
      }
    >
      Revoke
    </button>
  );
}

export interface EditableUser {
  id: string;
  name: string;
  email: string;
  role: string;
  teamId: string;
  active: boolean;
}

/** ADMIN: an “Edit” button on a user's row and its dialog: name, role, team, active. */
export function EditUserButton({ user, teams, self }: { user: EditableUser; teams: Opt[]; self: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="button small"
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
        aria-label={`Edit ${user.name}`}
      >
        Edit
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Edit ${user.email}`}>
        {open ? <EditUserForm user={user} teams={teams} self={self} onDone={() => setOpen(false)} /> : null}
      </Dialog>
    </>
  );
}

function EditUserForm({
  user,
  teams,
  self,
  onDone,
}: {
  user: EditableUser;
  teams: Opt[];
  self: boolean;
  onDone: () => void;
}) {
  const [state, action] = useActionState(updateUserAction.bind(null, user.id), initialState);
  const v = state.values ?? {};
  const e = state.fieldErrors ?? {};
  const p = `edit-${user.id}`;
  return (
    <form action={action} className="form" noValidate>
      <FormMessage state={state} />
      <TextField id={`${p}-name`} name="name" label="Full name" defaultValue={v.name ?? user.name} error={e.name} />
      <SelectField
        id={`${p}-role`}
        name="role"
        label="Role"
        options={ROLES}
        defaultValue={v.role ?? user.role}
        error={e.role}
        disabled={self}
        hint={self ? "Another admin can change your role." : undefined}
      />
      {self ? <input type="hidden" name="role" value={user.role} /> : null}
      <SelectField
        id={`${p}-team`}
        name="teamId"
        label="Team"
        placeholder="No team (admins only)"
        options={teams}
        defaultValue={v.teamId ?? user.teamId}
        error={e.teamId}
      />
      <CheckField
        id={`${p}-active`}
        name="active"
        label="Active (can sign in)"
        defaultChecked={state.values ? v.active === "on" : user.active}
        disabled={self}
        hint="Deactivating ends the person's sessions at once; their history stays."
      />
      {self ? <input type="hidden" name="active" value="on" /> : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onDone}>
          {state.ok ? "Close" : "Cancel"}
        </button>
        <SubmitButton pendingText="Saving…">Save</SubmitButton>
      </div>
    </form>
  );
}
