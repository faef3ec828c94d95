// deploy/docker/Dockerfile cannot be built here (no container engine), so this checks that it agrees with the
// repository and the chart: the commands it runs, the versions it pins, the ports it exposes.

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ENTRIES } from "../../scripts/build.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const json = (path: string) => JSON.parse(read(path));

interface Stage {
  from: string;
  lines: string[];
}

/** The Dockerfile's stages by name, with continuation lines joined. */
function stages(text: string): Map<string, Stage> {
  const out = new Map<string, Stage>();
  let current: Stage | undefined;
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = { from: from[1] ?? "", lines: [] };
      if (from[2]) out.set(from[2], current);
    } else if (current && line.trim() && !line.trim().startsWith("#")) {
      current.lines.push(line.trim());
    }
  }
  return out;
}

/** Follows FROM chains inside the file: every instruction line a target inherits. */
function inherited(all: Map<string, Stage>, name: string): string[] {
  const stage = all.get(name);
  if (!stage) return [];
  return [...inherited(all, stage.from), ...stage.lines];
}

const dockerfile = read("deploy/docker/Dockerfile");
const all = stages(dockerfile);
const values = parse(read("deploy/helm/values.yaml"));

describe("deploy/docker/Dockerfile", () => {
  it("has one target per image the chart deploys, named as in values.yaml", () => {
    for (const target of ["agent-service", "access-control", "web"]) expect(all.has(target)).toBe(true);
    expect(values.agentService.image.repository).toMatch(/agent-service$/);
    expect(values.accessControl.image.repository).toMatch(/access-control$/);
    expect(values.web.image.repository).toMatch(/web$/);
  });

  it("starts each service as its workspace's start script does: its built JavaScript under plain node", () => {
    for (const [target, workspace] of [
      ["agent-service", "services/agent"],
      ["access-control", "services/access-control"],
    ] as const) {
      const start = json(`${workspace}/package.json`).scripts.start as string;
      const [runner, entry] = start.split(/\s+/);
      expect(runner).toBe("node");
      const cmd = all.get(target)?.lines.find((l) => l.startsWith("CMD "));
      expect(JSON.parse(cmd?.slice(4) ?? "null")).toEqual(["node", `${workspace}/${entry}`]);
      // the file is what scripts/build.mjs builds, and the image copies the folder it is built into
      expect(Object.values(ENTRIES)).toContain(`${workspace}/${entry}`);
      expect(inherited(all, target)).toContain(
        `COPY --from=build /app/${workspace}/dist /app/${workspace}/dist`,
      );
      expect(inherited(all, "build").some((l) => /npm run build\b/.test(l))).toBe(true);
    }
  });

  it("runs the services without tsx and as a non-root user", () => {
    for (const target of ["agent-service", "access-control"]) {
      const lines = inherited(all, target);
      expect(lines.join("\n"), target).not.toMatch(/\btsx\b/);
      const user = lines.filter((l) => l.startsWith("USER ")).at(-1);
      expect(user, target).toBe("USER node");
    }
  });

  it("exposes the ports the chart expects and sets PORT to them", () => {
    for (const [target, port] of [
      ["agent-service", values.agentService.port],
      ["access-control", values.accessControl.port],
      ["web", values.web.port],
    ] as const) {
      const lines = inherited(all, target);
      expect(lines, target).toContain(`EXPOSE ${port}`);
      if (target !== "web") expect(lines, target).toContain(`ENV PORT=${port}`);
    }
    expect(read("deploy/docker/web-nginx.conf")).toMatch(new RegExp(`listen ${values.web.port};`));
  });

  it("serves the web app from the directory Vite builds into", () => {
    const outDir = /outDir:\s*"([^"]+)"/.exec(read("apps/web/vite.config.ts"))?.[1] ?? "dist";
    expect(all.get("web")?.lines).toContain(
      `COPY --from=build /app/apps/web/${outDir} /usr/share/nginx/html`,
    );
    expect(read("deploy/docker/web-nginx.conf")).toContain(`location = ${values.web.probePath}`);
  });
});
