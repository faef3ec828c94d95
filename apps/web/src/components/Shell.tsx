import type { LoginResponse } from "@texera-agent/protocol";
import { lazy, Suspense, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Message } from "../App.tsx";
import { ApiClient } from "../api.ts";
import { ApiContext, type ApiContextValue } from "../hooks/api-context.ts";
import { useHashRoute } from "../hooks/use-hash-route.ts";
import { EXPIRY_SKEW_MS, msUntilExpiry, type Session } from "../session.ts";
import { AgentsPage } from "./AgentsPage.tsx";
import { SessionGuard } from "./SessionGuard.tsx";
import { ThemeToggle } from "./ThemeToggle.tsx";
import { Spinner } from "./ui.tsx";

// Loaded when first opened: most visits never show them.
const AdminPage = lazy(() => import("./AdminPage.tsx").then((m) => ({ default: m.AdminPage })));
const DatasetsDialog = lazy(() =>
  import("./DatasetsDialog.tsx").then((m) => ({ default: m.DatasetsDialog })),
);

const REVOKED: Message = {
  tone: "warning",
  text: "Your session has expired or was revoked, so you were signed out. Please sign in again.",
};

/** The signed-in frame: top bar, navigation, the page the URL names, and the session's expiry. */
export function Shell({
  session,
  expired,
  onSignOut,
  onExpired,
  onRenewed,
}: {
  session: Session;
  /** the token ran out: the page stays, a dialog asks for the password */
  expired: boolean;
  onSignOut: (message: Message | null) => void;
  onExpired: () => void;
  onRenewed: (login: LoginResponse) => void;
}) {
  const [route, navigate] = useHashRoute();
  // One client for the life of the page: a renewed token is read on the next call, so nothing refetches
  // or remounts when the session is renewed (the chat's socket reconnects with the new token by itself).
  const current = useRef({ session, onSignOut, onExpired });
  useLayoutEffect(() => {
    current.current = { session, onSignOut, onExpired };
  });
  const api = useMemo(
    () =>
      new ApiClient({
        getToken: () => current.current.session.accessToken,
        onUnauthorized: () => {
          // A 401 near the expiry time is the token running out (clocks differ a little): ask for the
          // password. Any other 401 means the session was revoked.
          const left = msUntilExpiry(current.current.session);
          if (left !== null && left <= EXPIRY_SKEW_MS) current.current.onExpired();
          else current.current.onSignOut(REVOKED);
        },
      }),
    [],
  );
  const context = useMemo<ApiContextValue>(() => ({ session, api }), [session, api]);
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
            <ThemeToggle />
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
        <SessionGuard
          session={session}
          expired={expired}
          onExpired={onExpired}
          onRenewed={onRenewed}
          onSignOut={() => onSignOut({ tone: "info", text: "You have signed out." })}
        />
        <div id="main" className="app-main" tabIndex={-1}>
          <Suspense fallback={<Spinner label="Loading…" />}>
            {route.page === "admin" ? (
              <AdminPage />
            ) : (
              <AgentsPage
                agentId={route.agentId}
                onOpen={(agentId) => navigate({ page: "agents", agentId })}
              />
            )}
          </Suspense>
        </div>
        {datasetsOpen && (
          <Suspense fallback={null}>
            <DatasetsDialog onClose={() => setDatasetsOpen(false)} />
          </Suspense>
        )}
      </div>
    </ApiContext.Provider>
  );
}
