export { type AuthDecision, createAuthorizer } from "./authorize.ts";
export { type GatewayConfig, loadConfig } from "./config.ts";
export { createGateway, type Gateway, type GatewayOptions } from "./gateway.ts";
export { IDENTITY_HEADERS } from "./headers.ts";
export { type Route, routeFor } from "./routes.ts";
