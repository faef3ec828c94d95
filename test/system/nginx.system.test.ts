// Real nginx with deploy/single-node/nginx.conf (`npm run start:nginx`), installed from Debian by
// scripts/install-system-deps.sh. Without nginx this suite fails and says how to install it.
import { describeGatewayContract } from "./gateway-contract.ts";

describeGatewayContract("nginx");
