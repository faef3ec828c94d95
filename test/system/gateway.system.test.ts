// The built-in gateway of `npm start` (services/gateway), with the whole system started by scripts/start.ts.
import { describeGatewayContract } from "./gateway-contract.ts";

describeGatewayContract("builtin");
