// Shared by client forms and server actions (no server-only imports here).
export type ActionState = {
  ok: boolean;
  message?: string;
  code?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
  data?: Record<string, unknown>;
};

export const initialState: ActionState = { ok: false };
