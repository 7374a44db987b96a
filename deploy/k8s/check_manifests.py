"""Check the Kubernetes manifests without a cluster.

    uv run python deploy/k8s/check_manifests.py

1. every YAML file under deploy/k8s parses;
2. each overlay renders with `kubectl kustomize` (kubectl's built-in kustomize, no cluster);
3. the rendered objects hang together: every Deployment has /readyz readiness and /healthz
   liveness probes on a port it declares, every ConfigMap and Secret it references exists
   in the overlay (or is one of the secrets the district creates outside git, with the
   keys the README lists), local runs 1 replica and district 3 with LINLI_STREAM_REPLICAS=3;
4. deploy/observability renders too, has the collector the district overlay sends traces to,
   and each district service has a HorizontalPodAutoscaler and a PodDisruptionBudget; every
   External metric an HPA scales on is one the Prometheus adapter's rules serve;
5. the web app (deploy/web/): a Deployment and Service `web` on 8080 with the same replicas, /healthz
   probes, non-root with a read-only root filesystem and resources; its config.json (the linli-web
   ConfigMap) names every service at /api/<service> and an OpenID Connect provider, and nginx.conf
   routes each /api/<service>/ to that service's port; the district has its HPA and PDB too;
6. if `kubernetes-validate` is on PATH or runnable with uvx, the rendered objects are
   validated strictly against the Kubernetes 1.32 OpenAPI schemas.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OBSERVABILITY = HERE.parent / "observability"
NGINX_CONF = HERE.parent / "web" / "nginx.conf"
WEB_PORT = 8080
SERVICES = {
    "intake": 8081,
    "deliberation": 8082,
    "shifts": 8083,
    "rewards": 8084,
    "notifications": 8085,
    "community": 8086,
}
# Created by the operator in the district namespace (deploy/README.md), never in git.
EXTERNAL_SECRETS = {
    "linli-database": {"url"},
    "linli-nats": {*SERVICES, "operator"},
    "linli-nats-server": {
        f"NATS_{user.upper()}_PASSWORD" for user in ("route", "system", *SERVICES, "operator", "subscriber")
    },
}
problems: list[str] = []


def check(condition: bool, message: str) -> None:
    if not condition:
        problems.append(message)


def render_path(path: Path) -> list[dict[str, Any]]:
    done = subprocess.run(["kubectl", "kustomize", str(path)], capture_output=True, text=True, check=True)
    return [obj for obj in yaml.safe_load_all(done.stdout) if obj]


def check_observability(objects: list[dict[str, Any]], district: list[dict[str, Any]]) -> None:
    """The observability namespace has what the district overlay points at, and every district
    service has a HorizontalPodAutoscaler and a PodDisruptionBudget."""
    names = {(obj["kind"], obj["metadata"]["name"]) for obj in objects}
    for wanted in ("otel-collector", "jaeger", "prometheus", "grafana", "nats-exporter", "prometheus-adapter"):
        check(("Service", wanted) in names, f"observability: no Service {wanted}")
    config = next(o for o in district if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("linli-config"))
    check(
        config["data"].get("OTEL_EXPORTER_OTLP_ENDPOINT") == "http://otel-collector.observability:4318",
        "district: traces not sent to the observability namespace's collector",
    )
    kinds = {(obj["kind"], obj["metadata"]["name"]) for obj in district}
    for service in [*SERVICES, "web"]:
        check(("HorizontalPodAutoscaler", service) in kinds, f"district: no HorizontalPodAutoscaler for {service}")
        check(("PodDisruptionBudget", service) in kinds, f"district: no PodDisruptionBudget for {service}")
    rules = yaml.safe_load((OBSERVABILITY / "prometheus-adapter.yaml").read_text())
    served = {rule["name"]["as"] for rule in rules["externalRules"]}
    for hpa in (o for o in district if o["kind"] == "HorizontalPodAutoscaler"):
        for metric in hpa["spec"].get("metrics", []):
            if metric["type"] == "External":
                name = metric["external"]["metric"]["name"]
                check(
                    name in served,
                    f"district: HPA {hpa['metadata']['name']} scales on {name}, which no adapter rule serves",
                )


def render(overlay: str) -> list[dict[str, Any]]:
    return render_path(HERE / "overlays" / overlay)


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def check_overlay(name: str, objects: list[dict[str, Any]], replicas: int) -> None:
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
    secrets = {
        n: set(o.get("data", {}) or {}) | set(o.get("stringData", {}) or {})
        for n, o in by_kind.get("Secret", {}).items()
    }
    if name == "district":
        secrets.update(EXTERNAL_SECRETS)
    configmaps = by_kind.get("ConfigMap", {})
    deployments = by_kind.get("Deployment", {})
    for service, port in SERVICES.items():
        deployment = deployments.get(service)
        check(deployment is not None, f"{name}: no Deployment {service}")
        check(service in by_kind.get("Service", {}), f"{name}: no Service {service}")
        if deployment is None:
            continue
        check(
            deployment["spec"]["replicas"] == replicas,
            f"{name}: {service} has {deployment['spec']['replicas']} replicas",
        )
        container = pod_spec(deployment)["containers"][0]
        ports = {p.get("name"): p["containerPort"] for p in container["ports"]}
        check(ports.get("http") == port, f"{name}: {service} listens on {ports}")
        env = {e["name"]: e for e in container.get("env", [])}
        check(env.get("LINLI_HTTP_PORT", {}).get("value") == str(port), f"{name}: {service} LINLI_HTTP_PORT")
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            get = container.get(probe, {}).get("httpGet", {})
            check(get.get("path") == path and get.get("port") in ports, f"{name}: {service} {probe} {get}")
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        check(selector.items() <= labels.items(), f"{name}: {service} selector does not match its pods")
    for kind in ("Deployment", "StatefulSet", "Job"):
        for obj_name, obj in by_kind.get(kind, {}).items():
            spec = pod_spec(obj)
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                for source in container.get("envFrom", []):
                    ref = source.get("configMapRef", {}).get("name")
                    check(ref is None or ref in configmaps, f"{name}: {obj_name} uses missing ConfigMap {ref}")
                    secret = source.get("secretRef", {}).get("name")
                    check(secret is None or secret in secrets, f"{name}: {obj_name} uses missing Secret {secret}")
                for var in container.get("env", []):
                    ref = var.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        check(ref["key"] in secrets.get(ref["name"], set()), f"{name}: {obj_name} needs {ref}")
                mounts = {m["name"] for m in container.get("volumeMounts", [])}
                claims = obj["spec"].get("volumeClaimTemplates", [])
                volumes = {v["name"] for v in spec.get("volumes", [])} | {c["metadata"]["name"] for c in claims}
                for volume in spec.get("volumes", []):
                    cm = volume.get("configMap", {}).get("name")
                    check(cm is None or cm in configmaps, f"{name}: {obj_name} mounts missing ConfigMap {cm}")
                check(mounts <= volumes, f"{name}: {obj_name} mounts {mounts - volumes} without a volume")
    check("linli-migrate" in by_kind.get("Job", {}), f"{name}: no migrate Job")
    check_network_policies(name, by_kind)
    config: dict[str, str] = next((c["data"] for n, c in configmaps.items() if n.startswith("linli-config")), {})
    check(config.get("LINLI_STREAM_REPLICAS") == str(1 if replicas == 1 else 3), f"{name}: LINLI_STREAM_REPLICAS")


def _selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted: dict[str, str] = policy["spec"]["podSelector"].get("matchLabels", {})
    return wanted.items() <= labels.items()


def check_network_policies(name: str, by_kind: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Everything is denied unless allowed, and every pod that runs has a policy letting it do its work:
    a pod only the default denial selects could not reach NATS or PostgreSQL."""
    policies = by_kind.get("NetworkPolicy", {})
    deny = policies.get("default-deny")
    check(
        deny is not None
        and deny["spec"]["podSelector"] == {}
        and set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"},
        f"{name}: no default-deny NetworkPolicy for ingress and egress",
    )
    for kind in ("Deployment", "StatefulSet", "Job"):
        for obj_name, obj in by_kind.get(kind, {}).items():
            labels = obj["spec"]["template"]["metadata"]["labels"]
            allowing = [n for n, p in policies.items() if n != "default-deny" and _selects(p, labels)]
            check(bool(allowing), f"{name}: {kind} {obj_name} has no NetworkPolicy but the default denial")


def check_web(name: str, objects: list[dict[str, Any]], replicas: int) -> None:
    """The web app's Deployment, Service and config.json, and nginx's route to each service."""
    found = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    deployment = found.get(("Deployment", "web"))
    check(deployment is not None, f"{name}: no Deployment web")
    check(("Service", "web") in found, f"{name}: no Service web")
    if deployment is None:
        return
    check(deployment["spec"]["replicas"] == replicas, f"{name}: web has {deployment['spec']['replicas']} replicas")
    spec = pod_spec(deployment)
    container = spec["containers"][0]
    ports = {p.get("name"): p["containerPort"] for p in container["ports"]}
    check(ports.get("http") == WEB_PORT, f"{name}: web listens on {ports}")
    for probe in ("readinessProbe", "livenessProbe"):
        get = container.get(probe, {}).get("httpGet", {})
        check(get.get("path") == "/healthz" and get.get("port") in ports, f"{name}: web {probe} {get}")
    security = container.get("securityContext", {})
    check(spec.get("securityContext", {}).get("runAsNonRoot") is True, f"{name}: web may run as root")
    check(security.get("readOnlyRootFilesystem") is True, f"{name}: web's root filesystem is writable")
    check(security.get("allowPrivilegeEscalation") is False, f"{name}: web may escalate privileges")
    check(bool(container.get("resources", {}).get("requests")), f"{name}: web has no resource requests")
    maps = [v["configMap"]["name"] for v in spec.get("volumes", []) if "configMap" in v]
    config = next((o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] in maps), None)
    check(config is not None, f"{name}: web mounts no ConfigMap with its config.json")
    if config is None:
        return
    runtime = json.loads(config["data"].get("config.json", "{}"))
    check(
        runtime.get("services") == {service: f"/api/{service}" for service in SERVICES},
        f"{name}: web's config.json does not name every service at /api/<service>: {runtime.get('services')}",
    )
    identity = runtime.get("identity", {})
    check(
        identity.get("mode") == "oidc" and bool(identity.get("authority")) and bool(identity.get("client_id")),
        f"{name}: web's config.json names no OpenID Connect provider: {identity}",
    )


def check_nginx() -> None:
    """nginx.conf routes /api/<service>/ to each service's own port, and streams the inbox unbuffered."""
    conf = NGINX_CONF.read_text()
    for service, port in SERVICES.items():
        check(f"server {service}:{port};" in conf, f"nginx.conf: no upstream {service}:{port}")
        check(
            re.search(rf"location /api/{service}/\s*\{{\s*proxy_pass http://{service}/;", conf) is not None,
            f"nginx.conf: /api/{service}/ is not proxied to {service}",
        )
    stream = re.search(r"location = /api/notifications/inbox/stream \{(.*?)\}", conf, re.S)
    check(stream is not None and "proxy_buffering off;" in stream.group(1), "nginx.conf: the inbox stream is buffered")


def validate_schemas(rendered: dict[str, list[dict[str, Any]]]) -> str:
    command = shutil.which("kubernetes-validate")
    base = (
        [command]
        if command
        else (["uvx", "--from", "kubernetes-validate==1.37.0", "kubernetes-validate"] if shutil.which("uvx") else None)
    )
    if base is None:
        return "schema validation skipped (kubernetes-validate not available)"
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for overlay, objects in rendered.items():
            path = Path(tmp) / f"{overlay}.yaml"
            path.write_text(yaml.safe_dump_all(objects))
            files.append(str(path))
        result = subprocess.run([*base, "--strict", "--quiet", "-k", "1.32.0", *files], capture_output=True, text=True)
    if result.returncode != 0:
        problems.append(f"kubernetes-validate: {result.stdout}{result.stderr}")
    return "validated strictly against the Kubernetes 1.32 schemas (kubernetes-validate)"


def main() -> int:
    files = sorted(HERE.parent.rglob("*.yaml"))  # everything under deploy/
    for path in files:
        list(yaml.safe_load_all(path.read_text()))
    print(f"{len(files)} YAML files parse")
    if shutil.which("kubectl") is None:
        if os.environ.get("LINLI_REQUIRE_KUBECTL") == "1":
            print("FAIL kubectl not found (apt-get install kubernetes-client)")
            return 1
        print("kubectl not found: rendering and the checks on rendered objects skipped")
        return 0
    rendered = {"local": render("local"), "district": render("district"), "observability": render_path(OBSERVABILITY)}
    check_overlay("local", rendered["local"], 1)
    check_overlay("district", rendered["district"], 3)
    check_web("local", rendered["local"], 1)
    check_web("district", rendered["district"], 3)
    check_nginx()
    check_observability(rendered["observability"], rendered["district"])
    print("rendered: " + ", ".join(f"{name} {len(objects)} objects" for name, objects in rendered.items()))
    print(validate_schemas(rendered))
    for problem in problems:
        print(f"FAIL {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
