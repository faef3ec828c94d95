import { useMemo, useState } from "react";
import { ApiClient } from "../api.ts";
import { ApiContext, type ApiContextValue } from "../hooks/api-context.ts";
import { useHashRoute } from "../hooks/use-hash-route.ts";
import type { Session } from "../session.ts";
import { AdminPage } from "./AdminPage.tsx";
import { AgentsPage } from "./AgentsPage.tsx";
import { DatasetsDialog } from "./DatasetsDialog.tsx";

type Message = { tone: "info" | "warning"; text: string };

/** The signed-in frame: top bar, navigation, and the page the URL names. */
export function Shell({
  session,
  onSignOut,
}: {
  session: Session;
  onSignOut: (message: Message | null) => void;
}) {
  const [route, navigate] = useHashRoute();
  const context = useMemo<ApiContextValue>(
    () => ({
      session,
      api: new ApiClient({
        getToken: () => session.accessToken,
        onUnauthorized: () =>
          onSignOut({
            tone: "warning",
            text: "Your session has expired or was revoked, so you were signed out. Please sign in again.",
          }),
      }),
    }),
    [session, onSignOut],
  );
  const isAdmin = session.user.role === "ADMIN";
  const [datasetsOpen, setDatasetsOpen] = useState(false);

  return (
    <ApiContext.Provider value={context}>
      <div className="app">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <a className="brand" href="#/agents" aria-label="Texera Agents: home">
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">Texera Agents</span>
          </a>
          <nav className="topnav" aria-label="Main">
            <a
              href="#/agents"
              aria-current={route.page === "agents" ? "page" : undefined}
              data-testid="nav-agents"
            >
              Agents
            </a>
            {isAdmin && (
              <a
                href="#/admin"
                aria-current={route.page === "admin" ? "page" : undefined}
                data-testid="nav-admin"
              >
                Admin
              </a>
            )}
          </nav>
          <div className="topbar-user">
            <button
              type="button"
              className="button button-quiet topbar-datasets"
              onClick={() => setDatasetsOpen(true)}
              data-testid="datasets-open"
            >
              Datasets
            </button>
            <span
              className="user-chip"
              data-testid="current-user"
              title={session.user.email ?? session.user.name}
            >
              <span className="avatar" aria-hidden="true">
                {session.user.name.slice(0, 1).toUpperCase()}
              </span>
              <span className="user-name">{session.user.name}</span>
              <span className="role-tag">{session.user.role}</span>
            </span>
            <button
              type="button"
              className="button button-quiet"
              onClick={() => onSignOut({ tone: "info", text: "You have signed out." })}
              data-testid="sign-out"
            >
              Sign out
            </button>
          </div>
        </header>
        <div id="main" className="app-main" tabIndex={-1}>
          {route.page === "admin" ? (
            <AdminPage />
          ) : (
            <AgentsPage agentId={route.agentId} onOpen={(agentId) => navigate({ page: "agents", agentId })} />
          )}
        </div>
        {datasetsOpen && <DatasetsDialog onClose={() => setDatasetsOpen(false)} />}
      </div>
    </ApiContext.Provider>
  );
}
