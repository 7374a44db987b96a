"""Check the observability configuration without running Prometheus or Grafana.

    uv run python deploy/observability/check_observability.py

1. prometheus.yml (docker compose), prometheus-k8s.yml (Kubernetes) and alerts.yml pass
   `promtool check config` (which checks the rules too);
2. `promtool test rules alerts_test.yml`: each alert fires on the series it is for, and not on healthy ones;
3. every Grafana dashboard parses, has a unique uid, names only provisioned datasources, and each
   of its queries is valid PromQL (promtool checks them as recording rules);
4. every `linli_*` series a dashboard or an alert reads is one the kernel exports
   (services/kernel/metrics.py and the gauges of services/kernel/app.py), so a renamed metric
   cannot leave a panel silently empty.

promtool comes from Debian's `prometheus` package (.ci/run installs it). Without it steps 1-3's
promtool parts are skipped with a warning, unless LINLI_REQUIRE_PROMTOOL=1 (as in CI).
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

import yaml
from prometheus_client import REGISTRY

import services.kernel.app
import services.kernel.metrics  # noqa: F401

HERE = Path(__file__).resolve().parent

problems: list[str] = []
SERIES = re.compile(r"\b(linli_[a-z_]+)\b")
SUFFIXES = {
    "counter": ["_total"],
    "histogram": ["_bucket", "_sum", "_count"],
    "gauge": [""],
    "summary": ["", "_sum", "_count"],
}


def check(condition: bool, message: str) -> None:
    if not condition:
        problems.append(message)


def exported_series() -> set[str]:
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, [""]))
    return names


def promtool(*args: str) -> None:
    tool = shutil.which("promtool")
    if tool is None:
        if os.environ.get("LINLI_REQUIRE_PROMTOOL") == "1":
            problems.append("promtool not found (apt-get install prometheus)")
        else:
            print(f"warning: promtool not found, skipped: promtool {' '.join(args)}")
        return
    done = subprocess.run([tool, *args], cwd=HERE, capture_output=True, text=True)
    check(done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}{done.stderr}")


def check_kubernetes_config() -> None:
    """prometheus-k8s.yml through promtool. Debian's Prometheus is built without Kubernetes service
    discovery, so its kubernetes_sd_configs are swapped for a static target; the rest (relabelling,
    rule files) is checked as written."""
    config = yaml.safe_load((HERE / "prometheus-k8s.yml").read_text())
    for scrape in config["scrape_configs"]:
        if scrape.pop("kubernetes_sd_configs", None) is not None:
            scrape["static_configs"] = [{"targets": ["pod.linli:8081"]}]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "prometheus.yml").write_text(yaml.safe_dump(config))
        shutil.copy(HERE / "alerts.yml", Path(tmp) / "alerts.yml")
        promtool("check", "config", str(Path(tmp) / "prometheus.yml"))


def dashboards(exported: set[str]) -> list[str]:
    provisioned = yaml.safe_load((HERE / "grafana/provisioning/datasources/datasources.yml").read_text())
    datasources = {source["uid"] for source in provisioned["datasources"]}
    uids: set[str] = set()
    queries: list[str] = []
    for path in sorted((HERE / "grafana/dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text())
        check(dashboard.get("uid") not in uids, f"{path.name}: uid {dashboard.get('uid')} used twice")
        uids.add(dashboard["uid"])
        for panel in dashboard["panels"]:
            if panel["type"] == "row":
                continue
            where = f"{path.name}: panel {panel['title']!r}"
            check(panel.get("datasource", {}).get("uid") in datasources, f"{where}: datasource not provisioned")
            check(bool(panel.get("targets")), f"{where}: no query")
            for target in panel.get("targets", []):
                queries.append(target["expr"])
                for name in SERIES.findall(target["expr"]):
                    check(name in exported, f"{where}: {name} is not a series the kernel exports")
    return queries


def main() -> int:
    exported = exported_series()
    promtool("check", "config", "prometheus.yml")
    check_kubernetes_config()
    promtool("test", "rules", "alerts_test.yml")
    for rule in (r for group in yaml.safe_load((HERE / "alerts.yml").read_text())["groups"] for r in group["rules"]):
        for name in SERIES.findall(rule["expr"]):
            check(name in exported, f"alert {rule['alert']}: {name} is not a series the kernel exports")
    queries = dashboards(exported)
    with tempfile.TemporaryDirectory() as tmp:
        rules = {
            "groups": [
                {
                    "name": "dashboards",
                    "rules": [{"record": f"dashboard:query{i}", "expr": q} for i, q in enumerate(queries)],
                }
            ]
        }
        path = Path(tmp) / "dashboard-queries.yml"
        path.write_text(yaml.safe_dump(rules))
        promtool("check", "rules", str(path))
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"observability: {len(queries)} dashboard queries, {len(exported)} kernel series, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
