import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findNginx, NGINX_TEMPLATE, renderNginxConf, startNginx } from "../../scripts/lib/nginx.ts";
import { deadUrl, stubAccessControl, stubAgentService } from "../../services/gateway/src/testing/stubs.ts";

const options = {
  prefix: "/tmp/texera-nginx",
  listen: "127.0.0.1:8080",
  webRoot: "/srv/texera/web",
  accessControl: "127.0.0.1:9096",
  agentService: "127.0.0.1:3001",
};
const dir = mkdtempSync(join(tmpdir(), "nginx-conf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The directives of one `location` block, by its exact header. */
function block(conf: string, header: string): string {
  const start = conf.indexOf(`${header} {`);
  if (start < 0) throw new Error(`no block ${header}`);
  return conf.slice(start, conf.indexOf("\n    }", start));
}

/** The directives of one `upstream` block (at the http level). */
function upstream(conf: string, name: string): string {
  const start = conf.indexOf(`  upstream ${name} {`);
  if (start < 0) throw new Error(`no upstream ${name}`);
  return conf.slice(start, conf.indexOf("\n  }", start));
}

describe("deploy/single-node/nginx.conf", () => {
  const conf = renderNginxConf(options);

  it("fills every placeholder outside comments", () => {
    const live = conf.split("\n").filter((l) => !l.trimStart().startsWith("#"));
    expect(live.join("\n")).not.toMatch(/\{\{/);
    expect(conf).toContain("listen 127.0.0.1:8080;");
    expect(conf).toContain("server 127.0.0.1:9096;");
    expect(conf).toContain("root /srv/texera/web;");
  });

  it("authorizes /api/agents with the original URI and method, and no body", () => {
    const agents = block(conf, "location /api/agents");
    expect(agents).toContain("auth_request /_authorize;");
    for (const h of ["id", "name", "email", "role"]) {
      expect(agents).toContain(`auth_request_set $auth_user_${h} $upstream_http_x_user_${h};`);
    }
    const sub = block(conf, "location = /_authorize");
    expect(sub).toContain("internal;");
    expect(sub).toContain("proxy_pass_request_body off;");
    expect(sub).toContain("proxy_set_header X-Original-URI $request_uri;");
    expect(sub).toContain("proxy_set_header X-Original-Method $request_method;");
  });

  it("passes on an allow-list of headers, x-user-* only from the answer", () => {
    const server = conf.slice(conf.indexOf("  server {"));
    expect(server).toContain("proxy_pass_request_headers off;");
    const userHeaders = server.match(/proxy_set_header X-User-\w+ \S+;/g);
    expect(userHeaders).toEqual([
      "proxy_set_header X-User-Id $auth_user_id;",
      "proxy_set_header X-User-Name $auth_user_name;",
      "proxy_set_header X-User-Email $auth_user_email;",
      "proxy_set_header X-User-Role $auth_user_role;",
    ]);
  });

  it("refuses values that would inject nginx syntax", () => {
    expect(() => renderNginxConf({ ...options, webRoot: "/srv/web; include /etc/passwd" })).toThrow(
      /webRoot|WEB_ROOT/,
    );
    expect(() => renderNginxConf({ ...options, listen: "8080 }" })).toThrow(/LISTEN/);
    expect(() => renderNginxConf({ ...options, user: "root; daemon on" })).toThrow(/user/);
    expect(() => renderNginxConf(options, "listen {{NOPE}};")).toThrow(/unknown placeholder \{\{NOPE\}\}/);
  });

  it("has a baseline without auth_request for the benchmark, and nothing else changed", () => {
    const plain = renderNginxConf({ ...options, withoutAuthRequest: true });
    expect(plain).not.toMatch(/^\s*auth_request \/_authorize;/m);
    expect(conf.split("\n").length - plain.split("\n").length).toBe(1);
  });

  it("has one agent-service server line for a single replica", () => {
    expect(upstream(conf, "agent_service")).toContain(
      "\n    server 127.0.0.1:3001 max_fails=1 fail_timeout=5s;\n    keepalive 64;",
    );
  });

  const twoReplicas = { ...options, agentService: ["127.0.0.1:3001", "127.0.0.1:3002"] };
  it("spreads agent-service over several replicas, each with passive health", () => {
    const agents = upstream(renderNginxConf(twoReplicas), "agent_service");
    const servers = agents.split("\n").filter((line) => line.trimStart().startsWith("server "));
    expect(servers).toEqual([
      "    server 127.0.0.1:3001 max_fails=1 fail_timeout=5s;",
      "    server 127.0.0.1:3002 max_fails=1 fail_timeout=5s;",
    ]);
    // The same list as one comma-separated string (what `scripts/nginx-conf.ts --agent-service` passes).
    expect(renderNginxConf({ ...options, agentService: "127.0.0.1:3001, 127.0.0.1:3002" })).toBe(
      renderNginxConf(twoReplicas),
    );
    // access-control stays one server.
    expect(upstream(conf, "access_control_service")).toMatch(/\{\n\s+server 127\.0\.0\.1:9096;\n/);
  });

  it("moves a failed connection on to the next replica, stated explicitly for the whole server", () => {
    const server = conf.slice(conf.indexOf("  server {"));
    const live = server.split("\n").filter((l) => !l.trimStart().startsWith("#"));
    expect(live).toContain("    proxy_next_upstream error timeout;");
    expect(live.filter((l) => l.includes("proxy_next_upstream"))).toHaveLength(1); // nothing adds non_idempotent
  });

  it("refuses a bad replica list", () => {
    const render = (agentService: string | string[]) => () => renderNginxConf({ ...options, agentService });
    expect(render(["127.0.0.1:3001", "127.0.0.1:3002; include /etc/passwd"])).toThrow(/AGENT_SERVICE/);
    expect(render("127.0.0.1:3001 backup")).toThrow(/AGENT_SERVICE/);
    expect(render([])).toThrow(/agentService needs host:port entries/);
    expect(render("127.0.0.1:3001,,127.0.0.1:3002")).toThrow(/without empty ones/);
    expect(render(["127.0.0.1:3001", "127.0.0.1:3001"])).toThrow(/lists 127\.0\.0\.1:3001 twice/);
  });

  const nginx = findNginx();
  it.runIf(nginx)("passes `nginx -t` with two agent-service replicas", () => {
    const prefix = join(dir, "prefix-replicas");
    mkdirSync(prefix);
    const file = join(prefix, "nginx.conf");
    writeFileSync(file, renderNginxConf({ ...twoReplicas, prefix, webRoot: dir }));
    const check = spawnSync(nginx!, ["-p", prefix, "-c", file, "-e", "stderr", "-t"], { encoding: "utf8" });
    expect(check.stderr).toContain("test is successful");
  });

  it.runIf(nginx)("passes `nginx -t` with a temporary prefix", () => {
    const prefix = join(dir, "prefix");
    mkdirSync(prefix);
    const file = join(prefix, "nginx.conf");
    writeFileSync(file, renderNginxConf({ ...options, prefix, webRoot: dir }));
    const check = spawnSync(nginx!, ["-p", prefix, "-c", file, "-e", "stderr", "-t"], { encoding: "utf8" });
    expect(check.stderr).toContain("test is successful");
    expect(readFileSync(NGINX_TEMPLATE, "utf8")).toContain("{{PREFIX}}");
  });

  it.runIf(nginx)("real nginx moves requests past a dead replica, then skips it (max_fails=1)", async () => {
    const [live, ac] = await Promise.all([stubAgentService(), stubAccessControl()]);
    const dead = new URL(await deadUrl()).host;
    const { port } = new URL(await deadUrl()); // a free port for nginx
    const running = await startNginx({
      prefix: join(dir, "prefix-run"),
      listen: `127.0.0.1:${port}`,
      webRoot: dir,
      accessControl: new URL(ac.url).host,
      agentService: [dead, new URL(live.url).host],
      workerProcesses: 1, // one worker, so one view of which replica is down
    });
    try {
      // nginx's round-robin starts with the first server, the dead one: connection refused, so the POST
      // never reached a replica and moves on to the next one (nothing was sent twice).
      const post = await fetch(`${running.url}/api/agents`, {
        method: "POST",
        headers: { authorization: "Bearer good", "content-type": "application/json" },
        body: "{}",
      });
      expect(post.status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await fetch(`${running.url}/api/healthcheck`)).status).toBe(200);
      expect(live.seen.map((r) => r.method)).toEqual(["POST", "GET", "GET", "GET", "GET"]);
    } finally {
      await running.stop();
      await Promise.all([live.close(), ac.close()]);
    }
    // The dead replica was tried once ("502, 200": refused, then the live one), then left alone for 5 s.
    const upstreams = readFileSync(running.accessLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { uri: string; upstream_status: string })
      .filter((entry) => entry.uri !== "/api/__nginx_ready")
      .map((entry) => entry.upstream_status);
    expect(upstreams).toEqual(["502, 200", "200", "200", "200", "200"]);
  });
});
