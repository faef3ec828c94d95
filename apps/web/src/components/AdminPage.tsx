import type { CreateUserBody, User } from "@texera-agent/protocol";
import { type FormEvent, useState } from "react";
import { describeError } from "../api-errors.ts";
import { formatTime } from "../format.ts";
import { useApi } from "../hooks/api-context.ts";
import { useAsync } from "../hooks/use-async.ts";
import { Notice, Spinner } from "./ui.tsx";

type Role = User["role"];
const ROLES: Role[] = ["ADMIN", "REGULAR", "RESTRICTED", "INACTIVE"];
const ROLE_HINT: Record<Role, string> = {
  ADMIN: "uses agents and manages users",
  REGULAR: "uses agents",
  RESTRICTED: "signs in, no agents",
  INACTIVE: "refused everywhere",
};

/** User directory for administrators: list, change roles, deactivate, create. */
export function AdminPage() {
  const { api, session } = useApi();
  const isAdmin = session.user.role === "ADMIN";
  const [users, reload, update] = useAsync<User[]>(
    () => (isAdmin ? api.listUsers() : Promise.resolve([])),
    [api, isAdmin],
  );
  const [rowError, setRowError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);

  if (!isAdmin) {
    return (
      <main className="admin-page" data-testid="admin-forbidden">
        <h1 className="visually-hidden">Users</h1>
        <Notice tone="warning">Only administrators can manage users.</Notice>
      </main>
    );
  }

  async function changeRole(user: User, role: Role) {
    setRowError(null);
    setBusyId(user.id);
    try {
      const updated = await api.updateUser(user.id, { role });
      update((list) =>
        list.map((u) => (u.id === user.id ? { ...u, ...updated, role: updated.role ?? role } : u)),
      );
    } catch (error) {
      setRowError(`Could not change ${user.name}'s role: ${describeError(error)}`);
    } finally {
      setBusyId(null);
    }
  }

  return (
    <main className="admin-page" data-testid="admin-page">
      <div className="admin-head">
        <h1>Users</h1>
        <p className="muted">
          A role change applies at the gateway within a short time, even to sessions that are already signed
          in.
        </p>
      </div>
      <div className="admin-grid">
        <section className="card" aria-labelledby="users-title">
          <h2 id="users-title" className="section-title">
            All users {users.status === "ready" && <span className="count">{users.data.length}</span>}
          </h2>
          {rowError && (
            <Notice tone="error" onDismiss={() => setRowError(null)} testId="admin-error">
              {rowError}
            </Notice>
          )}
          {users.status === "loading" && <Spinner label="Loading users…" />}
          {users.status === "error" && (
            <Notice tone="error" testId="users-error">
              <p>Could not load the users: {describeError(users.error)}</p>
              <button type="button" className="button button-small" onClick={reload}>
                Try again
              </button>
            </Notice>
          )}
          {users.status === "ready" && (
            <div className="table-wrap">
              <table className="users-table" data-testid="users-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Created</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {users.data.map((user) => {
                    const self = user.id === session.user.id;
                    return (
                      <tr key={user.id} data-testid={`user-row-${user.name}`} data-role={user.role}>
                        <th scope="row">
                          {user.name}
                          {self && <span className="muted small"> (you)</span>}
                        </th>
                        <td>{user.email ?? <span className="muted">—</span>}</td>
                        <td>
                          <select
                            aria-label={`Role of ${user.name}`}
                            value={user.role}
                            disabled={busyId === user.id || self}
                            title={self ? "You cannot change your own role" : undefined}
                            onChange={(event) => changeRole(user, event.target.value as Role)}
                            data-testid={`user-role-${user.name}`}
                          >
                            {ROLES.map((role) => (
                              <option key={role} value={role}>
                                {role}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td className="muted">{user.createdAt ? formatTime(user.createdAt) : "—"}</td>
                        <td>
                          {user.role !== "INACTIVE" && !self && (
                            <button
                              type="button"
                              className="button button-small button-quiet"
                              disabled={busyId === user.id}
                              onClick={() => changeRole(user, "INACTIVE")}
                              aria-label={`Deactivate ${user.name}`}
                              data-testid={`deactivate-${user.name}`}
                            >
                              Deactivate
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <CreateUserForm
          onCreated={(user) => update((list) => [...list.filter((u) => u.id !== user.id), user])}
        />
      </div>
    </main>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (user: User) => void }) {
  const { api } = useApi();
  const empty = { username: "", password: "", email: "", role: "REGULAR" as Role };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const body: CreateUserBody = {
        username: form.username.trim(),
        password: form.password,
        role: form.role,
        ...(form.email.trim() ? { email: form.email.trim() } : {}),
      };
      const user = await api.createUser(body);
      onCreated(user);
      setCreated(`Created ${user.name ?? body.username} (${user.role ?? body.role}).`);
      setForm(empty);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card create-user"
      onSubmit={submit}
      aria-labelledby="create-user-title"
      data-testid="create-user-form"
    >
      <h2 id="create-user-title" className="section-title">
        Add a user
      </h2>
      <label className="field">
        <span>User name</span>
        <input
          required
          maxLength={64}
          pattern="[A-Za-z0-9_.@\-]+"
          title="Letters, digits and _ . @ - only"
          autoComplete="off"
          value={form.username}
          onChange={(event) => setForm({ ...form, username: event.target.value })}
          data-testid="new-user-name"
        />
      </label>
      <label className="field">
        <span>Password</span>
        <input
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          value={form.password}
          onChange={(event) => setForm({ ...form, password: event.target.value })}
          data-testid="new-user-password"
        />
        <small className="muted">At least 8 characters.</small>
      </label>
      <label className="field">
        <span>
          Email <span className="muted">(optional)</span>
        </span>
        <input
          type="email"
          maxLength={254}
          value={form.email}
          onChange={(event) => setForm({ ...form, email: event.target.value })}
          data-testid="new-user-email"
        />
      </label>
      <label className="field">
        <span>Role</span>
        <select
          value={form.role}
          onChange={(event) => setForm({ ...form, role: event.target.value as Role })}
          data-testid="new-user-role"
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}: {ROLE_HINT[role]}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <Notice tone="error" testId="create-user-error">
          {error}
        </Notice>
      )}
      {created && (
        <Notice tone="info" testId="create-user-done">
          {created}
        </Notice>
      )}
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={busy}
        data-testid="create-user"
      >
        {busy ? "Adding…" : "Add user"}
      </button>
    </form>
  );
}
