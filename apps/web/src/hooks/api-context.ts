import { createContext, useContext } from "react";
import type { ApiClient } from "../api.ts";
import type { Session } from "../session.ts";

export interface ApiContextValue {
  api: ApiClient;
  session: Session;
}

export const ApiContext = createContext<ApiContextValue | null>(null);

/** The signed-in session's API client (every call carries its JWT). */
export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new TypeError("useApi() is used outside the signed-in shell");
  return value;
}
