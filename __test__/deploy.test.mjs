// Containers and Kubernetes: `forst build --container` writes a Containerfile and builds the image with podman (the
// image's contents are inspected and its binary run the way the container runs it: this machine cannot run
// containers), and deploy/kubernetes/ passes kubeconform in strict mode against the Kubernetes 1.29 and 1.33 schemas.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { useFixture, packageDir, forst, runSidecar, runTool, toolsDir, exited } from "./helpers.mjs";

const KUBERNETES_VERSIONS = ["1.29.0", "1.33.0"];
let dir;
before(() => {
  dir = useFixture("app");
});

function onPath(tool) {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test("forst build --container: Containerfile FROM scratch, non-root, FORST_LISTEN=0.0.0.0:8080, healthcheck; podman builds the image", async (t) => {
  const tag = `localhost/forst-test-${process.pid}:${Date.now()}`;
  // Builders are looked up on PATH: without podman there, say so (and exit 0).
  const bin = mkdtempSync(path.join(tmpdir(), "forst-path-"));
  symlinkSync(process.execPath, path.join(bin, "node"));
  const withoutBuilders = process.env.PATH.split(":").filter((d) => !["podman", "buildah", "docker"].some((b) => existsSync(path.join(d, b))));
  const noBuilder = await forst(["build", "--container"], dir, { PATH: [bin, ...withoutBuilders].join(":") });
  assert.equal(noBuilder.code, 0, noBuilder.stderr);
  assert.match(noBuilder.stdout, /no podman, buildah or docker on PATH: the image was not built/);
  const out = path.join(dir, "dist", "forst");
  const file = readFileSync(path.join(out, "Containerfile"), "utf8");
  for (const line of ["FROM scratch", "COPY forst-sidecar /forst-sidecar", "COPY manifest.json /manifest.json", "USER 65532:65532", "ENV FORST_LISTEN=0.0.0.0:8080", 'HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/forst-sidecar", "--healthcheck"]', 'ENTRYPOINT ["/forst-sidecar"]']) {
    assert.ok(file.split("\n").includes(line), `Containerfile has ${line}:\n${file}`);
  }
  assert.equal(readFileSync(path.join(out, ".containerignore"), "utf8"), "*\n!forst-sidecar\n!manifest.json\n");

  if (!onPath("podman")) {
    t.skip("podman is not installed and scripts/install-test-tools.sh could not install it: the image was not built");
    return;
  }
  const r = await forst(["build", "--container", "--tag", tag], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`image\\s+${tag.replace(/[.:/]/g, "\\$&")} \\(built with podman\\)`));
  try {
    const [image] = JSON.parse(execFileSync("podman", ["image", "inspect", tag]).toString());
    assert.equal(image.Config.User, "65532:65532");
    assert.deepEqual(image.Config.Entrypoint, ["/forst-sidecar"]);
    assert.ok(image.Config.Env.includes("FORST_LISTEN=0.0.0.0:8080"), image.Config.Env.join(" "));
    assert.ok(!image.Config.Env.some((e) => e.startsWith("FORST_TOKEN")), "no token baked into the image");
    assert.ok("8080/tcp" in image.Config.ExposedPorts);
    assert.deepEqual(image.Healthcheck.Test, ["CMD", "/forst-sidecar", "--healthcheck"]);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    assert.equal(image.Labels["dev.forst.contract"], manifest.contract);

    // The image's file system: the binary and the manifest, nothing else.
    const root = execFileSync("podman", ["image", "mount", tag]).toString().trim();
    let binary;
    try {
      assert.deepEqual(readdirSync(root).sort(), ["forst-sidecar", "manifest.json"]);
      assert.deepEqual(JSON.parse(readFileSync(path.join(root, "manifest.json"), "utf8")), manifest);
      const copy = mkdtempSync(path.join(tmpdir(), "forst-image-"));
      chmodSync(copy, 0o755);
      binary = path.join(copy, "forst-sidecar");
      copyFileSync(path.join(root, "forst-sidecar"), binary);
      chmodSync(binary, 0o755);
    } finally {
      execFileSync("podman", ["image", "unmount", tag]);
    }

    // Run it as the container would: its user, its environment (all interfaces; port 0 here, 8080 may be taken),
    // the token from a mounted file, stdin closed. A kubelet probe arrives with the pod IP as Host.
    const env = Object.fromEntries(image.Config.Env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    const secret = mkdtempSync(path.join(tmpdir(), "forst-secret-"));
    chmodSync(secret, 0o755);
    writeFileSync(path.join(secret, "token"), "t0ken\n", { mode: 0o444 });
    const [uid, gid] = image.Config.User.split(":").map(Number);
    const s = await runSidecarAs(binary, { ...env, FORST_LISTEN: "0.0.0.0:0", FORST_TOKEN_FILE: path.join(secret, "token") }, uid, gid);
    try {
      const port = s.address.split(":").pop();
      const probe = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { host: `10.1.2.3:${port}` } });
      assert.equal(probe.status, 200, "a probe addressed to the pod IP is answered");
      const res = await fetch(`http://127.0.0.1:${port}/add`, { method: "POST", headers: { "x-forst-token": "t0ken", "content-type": "application/json" }, body: "[20, 22]" });
      assert.equal(await res.text(), "42");
      assert.equal((await fetch(`http://127.0.0.1:${port}/add`, { method: "POST", body: "[1, 1]" })).status, 401);
      const health = await runTool(binary, image.Healthcheck.Test.slice(2), { env: { ...env, FORST_LISTEN: `0.0.0.0:${port}` } });
      assert.equal(health.code, 0, "the HEALTHCHECK command passes: " + health.stderr);
      s.child.kill("SIGTERM");
      assert.equal(await exited(s.child), 0, "SIGTERM (the image's STOPSIGNAL) exits 0");
    } finally {
      s.child.kill("SIGKILL");
    }
    const stopped = await runTool(binary, image.Healthcheck.Test.slice(2), { env: { ...env, FORST_LISTEN: "127.0.0.1:1" } });
    assert.equal(stopped.code, 1, "the HEALTHCHECK command fails when nothing answers");
  } finally {
    execFileSync("podman", ["rmi", "-f", tag], { stdio: "ignore" });
  }
});

function runSidecarAs(binary, env, uid, gid) {
  return runSidecar(binary, [], env, { uid, gid });
}

/**
 * kubeconform's schemas for one Kubernetes version, self-contained: kubernetes-validate ships them with absolute
 * `$id`s and `$ref`s on kubernetes.io, which kubeconform would try to download; here each file refers to its
 * neighbour `_definitions.json` instead. Cached in the tools directory.
 */
function schemasFor(version) {
  const dest = path.join(toolsDir, "kubeconform-schemas", `v${version}`);
  if (existsSync(path.join(dest, "deployment-apps-v1.json"))) return dest;
  const src = path.join(toolsDir, "kubernetes-validate-1.37.0", "kubernetes_validate", "kubernetes-json-schema", `v${version}-local-strict`);
  assert.ok(existsSync(src), `the Kubernetes ${version} schemas are missing (scripts/install-test-tools.sh installs them): ${src}`);
  const tmp = `${dest}.tmp${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  for (const name of readdirSync(src)) {
    const schema = JSON.parse(readFileSync(path.join(src, name), "utf8"));
    delete schema.$id;
    writeFileSync(path.join(tmp, name), JSON.stringify(schema).split('"/api/_definitions.json#').join('"_definitions.json#'));
  }
  execFileSync("mv", ["-T", tmp, dest]);
  return dest;
}

test("deploy/kubernetes passes kubeconform -strict (Kubernetes 1.29 and 1.33), and kubeconform catches a typo", async () => {
  const kubeconform = path.join(toolsDir, "bin", "kubeconform");
  assert.ok(existsSync(kubeconform), `kubeconform is missing (scripts/install-test-tools.sh installs it with go install): ${kubeconform}`);
  const manifests = path.join(packageDir, "deploy", "kubernetes");
  const files = readdirSync(manifests).filter((f) => f.endsWith(".yaml")).map((f) => path.join(manifests, f));
  assert.ok(files.length >= 4, files.join(" "));
  const run = (version, targets) =>
    runTool(kubeconform, ["-strict", "-summary", "-kubernetes-version", version, "-schema-location", path.join(schemasFor(version), "{{ .ResourceKind }}{{ .KindSuffix }}.json"), ...targets]);
  for (const version of KUBERNETES_VERSIONS) {
    const r = await run(version, files);
    assert.equal(r.code, 0, `${version}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /Valid: 4, Invalid: 0, Errors: 0, Skipped: 0/);
  }
  const deployment = readFileSync(path.join(manifests, "deployment.yaml"), "utf8");
  assert.match(deployment, /initContainers:\n\s+- name: forst-sidecar\n[^]*?restartPolicy: Always/, "a native sidecar");
  const typo = path.join(mkdtempSync(path.join(tmpdir(), "forst-k8s-")), "typo.yaml");
  writeFileSync(typo, deployment.replace("          restartPolicy: Always\n", "          restartPolicy: Always\n          restartPolcy: Always\n"));
  const bad = await run("1.33.0", [typo]);
  assert.equal(bad.code, 1, "strict mode refuses an unknown field");
  assert.match(bad.stdout, /restartPolcy/);
});
