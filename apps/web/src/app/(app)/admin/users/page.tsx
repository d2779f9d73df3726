import type { Metadata } from "next";
import { Badge, Card, EmptyState, PageHeader, Table } from "@/components/ui";
import { query } from "@/lib/api";
import { formatDateTime, humanize } from "@/lib/format";
import { UsersQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { ApiKeyForm, EditUserButton, RevokeKeyButton, TeamForm, UserForm } from "./forms";

export const metadata: Metadata = { title: "Users and API keys" };

export default async function UsersPage() {
  const [me, { users, apiKeys, teams }] = await Promise.all([getMe(), query(UsersQuery)]);
  const isAdmin = can(me.role, "createUsers");
  const canKeys = can(me.role, "manageApiKeys");
  const teamOptions = teams.map((t) => ({ value: t.id, label: t.name }));
  return (
    <>
      <PageHeader
        title="Users and API keys"
        lead="People sign in with email and password; internal tools use API keys (Authorization: Bearer <secret>)."
      />
      <Card title="Users" id="users">
        {users.length === 0 ? (
          <EmptyState title="No users" />
        ) : (
          <Table
            cardOnMobile
            label="Users"
            columns={[
              { label: "Name" },
              { label: "Email" },
              { label: "Role" },
              { label: "Team" },
              { label: "Status" },
              ...(isAdmin ? [{ label: "Actions" }] : []),
            ]}
          >
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>{humanize(u.role)}</td>
                <td>{u.team?.name ?? "—"}</td>
                <td>{u.deactivatedAt ? <Badge tone="bad">Deactivated</Badge> : <Badge tone="ok">Active</Badge>}</td>
                {isAdmin ? (
                  <td>
                    <EditUserButton
                      user={{
                        id: u.id,
                        name: u.name,
                        email: u.email,
                        role: u.role,
                        teamId: u.team?.id ?? "",
                        active: !u.deactivatedAt,
                      }}
                      teams={teamOptions}
                      self={u.id === me.id}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </Table>
        )}
      </Card>
      {isAdmin ? (
        <div className="grid">
          <Card title="Create user" id="create-user">
            <UserForm teams={teamOptions} />
          </Card>
          <Card title="Create team" id="create-team">
            <TeamForm />
          </Card>
        </div>
      ) : null}
      <Card title="API keys" id="keys">
        {apiKeys.length === 0 ? (
          <p className="muted">No API keys yet.</p>
        ) : (
          <Table
            cardOnMobile
            label="API keys"
            columns={[
              { label: "Name" },
              { label: "Prefix" },
              { label: "Role" },
              { label: "Team" },
              { label: "Created" },
              { label: "Last used" },
              { label: "State" },
            ]}
          >
            {apiKeys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{humanize(k.role)}</td>
                <td>{k.team?.name ?? "—"}</td>
                <td className="nowrap">{formatDateTime(k.createdAt)}</td>
                <td className="nowrap">{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "never"}</td>
                <td>
                  {k.revokedAt ? (
                    <Badge tone="bad">Revoked</Badge>
                  ) : canKeys ? (
                    <RevokeKeyButton id={k.id} name={k.name} />
                  ) : (
                    <Badge tone="ok">Active</Badge>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      {canKeys ? (
        <Card title="Create API key" id="create-key">
          <ApiKeyForm teams={teamOptions} defaultTeamId={me.team?.id ?? ""} isAdmin={isAdmin} />
        </Card>
      ) : null}
    </>
  );
}
