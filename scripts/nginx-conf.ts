/**
 * Prints deploy/single-node/nginx.conf with its placeholders filled, for installing on a server:
 *   npx tsx scripts/nginx-conf.ts --prefix /var/lib/texera-agent/nginx --listen 0.0.0.0:80 \
 *     --web-root /srv/texera-agent/web --access-control 127.0.0.1:9096 --agent-service 127.0.0.1:3001 \
 *     --user www-data > /etc/nginx/nginx.conf
 */
import { parseArgs } from "node:util";
import { renderNginxConf } from "./lib/nginx.ts";

const { values } = parseArgs({
  options: {
    prefix: { type: "string", default: "/var/lib/texera-agent/nginx" },
    listen: { type: "string", default: "127.0.0.1:8080" },
    "web-root": { type: "string", default: "/srv/texera-agent/web" },
    "access-control": { type: "string", default: "127.0.0.1:9096" },
    "agent-service": { type: "string", default: "127.0.0.1:3001" },
    workers: { type: "string", default: "auto" },
    user: { type: "string" },
  },
});
try {
  process.stdout.write(
    renderNginxConf({
      prefix: values.prefix,
      listen: values.listen,
      webRoot: values["web-root"],
      accessControl: values["access-control"],
      agentService: values["agent-service"],
      workerProcesses: values.workers === "auto" ? "auto" : Number(values.workers),
      ...(values.user ? { user: values.user } : {}),
    }),
  );
} catch (error) {
  console.error(`nginx-conf: ${(error as Error).message}`);
  process.exit(2);
}
