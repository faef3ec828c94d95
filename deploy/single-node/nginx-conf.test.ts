import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findNginx, NGINX_TEMPLATE, renderNginxConf } from "../../scripts/lib/nginx.ts";

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

  const nginx = findNginx();
  it.runIf(nginx)("passes `nginx -t` with a temporary prefix", () => {
    const prefix = join(dir, "prefix");
    mkdirSync(prefix);
    const file = join(prefix, "nginx.conf");
    writeFileSync(file, renderNginxConf({ ...options, prefix, webRoot: dir }));
    const check = spawnSync(nginx!, ["-p", prefix, "-c", file, "-e", "stderr", "-t"], { encoding: "utf8" });
    expect(check.stderr).toContain("test is successful");
    expect(readFileSync(NGINX_TEMPLATE, "utf8")).toContain("{{PREFIX}}");
  });
});
