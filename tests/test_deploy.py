"""The deployment files: docker-compose.yml, Dockerfile, deploy/grafana, deploy/k8s, README.md.

Validated offline: the compose file by ``docker-compose config`` (or ``docker compose config``), the Kubernetes
manifests against the Kubernetes JSON schemas shipped in the kubernetes-validate package (strict: unknown
fields are errors), the KEDA resources against the small schemas in deploy/k8s/schemas/. No network, no
container engine: what needs one (building the image, running the stack) is not tested here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
K8S = REPO / "deploy" / "k8s"
GRAFANA = REPO / "deploy" / "grafana"
KUBERNETES_VERSIONS = ("1.29", "1.33")  # the oldest supported and a recent release


# --- docker compose -----------------------------------------------------------------------------------

def compose_commands() -> list[list[str]]:
    commands = []
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        commands.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        commands.append(["docker-compose"])
    return commands


def test_compose_config_is_valid():
    commands = compose_commands()
    if not commands:
        pytest.skip("neither `docker compose` nor docker-compose is installed "
                    "(./dev test installs docker-compose as root)")
    for command in commands:
        result = subprocess.run([*command, "-f", "docker-compose.yml", "config", "-q"], cwd=REPO, capture_output=True,
                                text=True)
        assert result.returncode == 0, f"{' '.join(command)} config: {result.stderr}"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_stack(compose):
    services = compose["services"]
    assert {"kafka", "topics", "worker", "producer", "prometheus", "grafana", "kafka-exporter"} <= services.keys()

    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]  # KRaft, no ZooKeeper
    assert not any("zookeeper" in name for name in services)

    worker = services["worker"]
    assert worker["command"] == ["worker"]
    # scalable with --scale worker=N: nothing that two replicas could not share
    assert "container_name" not in worker and "ports" not in worker
    assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    env = worker["environment"]
    assert env["NEWSWORKER_BROKER"] == "kafka://kafka:9092"
    assert services["topics"]["command"] == ["topics"]
    assert services["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["producer"]["command"] == ["produce", "samples/demo.jsonl"]
    for name in ("topics", "producer"):
        assert services[name]["environment"]["NEWSWORKER_RAW_TOPICS"] == env["NEWSWORKER_RAW_TOPICS"]

    assert services["kafka-exporter"]["image"].startswith("danielqsj/kafka-exporter:")
    assert "./deploy/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    grafana = services["grafana"]["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana

    # Prometheus finds the scaled workers by the service's DNS name, on the worker's web port
    prom = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    job = next(j for j in prom["scrape_configs"] if j["job_name"] == "newsworker")
    assert job["dns_sd_configs"][0]["names"] == ["worker"]
    assert str(job["dns_sd_configs"][0]["port"]) in worker["expose"]
    exporter = next(j for j in prom["scrape_configs"] if j["job_name"] == "kafka-exporter")
    assert exporter["static_configs"][0]["targets"] == ["kafka-exporter:9308"]


# --- Dockerfile -----------------------------------------------------------------------------------------

def test_dockerfile():
    text = (REPO / "Dockerfile").read_text()
    instructions = [line for line in re.sub(r"\\\n", " ", text).splitlines() if line and not line.startswith("#")]
    froms = [line for line in instructions if line.startswith("FROM")]
    assert any("python:3.11-slim" in line for line in instructions if line.startswith(("FROM", "ARG")))
    assert len(froms) == 2, "multi-stage: a build stage and a slim runtime stage"
    runtime = instructions[instructions.index(froms[-1]):]
    user = [line.split()[1] for line in runtime if line.startswith("USER")]
    assert user and user[-1].split(":")[0] not in {"root", "0"}, "the worker must not run as root"
    health = [line for line in runtime if line.startswith("HEALTHCHECK")]
    assert health and "/healthz" in health[0]
    assert not re.search(r"\[[^\]]*dev", text), "the image must not install the dev extra"
    assert "rocksdb" in text, "NEWSWORKER_STORE=rocksdb:// (deploy/k8s) needs the rocksdb extra in the image"
    assert re.search(r"ENTRYPOINT \[\"newsworker\"\]", text)
    # what the Dockerfile copies is in the build context that .dockerignore leaves
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*")] == "*" and "!samples/" in ignore and "!workers/" in ignore
    assert (REPO / "samples" / "demo.jsonl").exists()


# --- Grafana ----------------------------------------------------------------------------------------------

def test_dashboard_json_is_generated_from_make_dashboard():
    result = subprocess.run([sys.executable, str(GRAFANA / "make_dashboard.py"), "--check"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def test_grafana_provisioning():
    dash = json.loads((GRAFANA / "dashboards" / "newsworker.json").read_text())
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dash["templating"]["list"]}
    assert {"datasource", "instance"} <= variables
    titles = " ".join(p["title"].lower() for p in dash["panels"])
    for topic in ("throughput", "processing time", "outcomes", "duplicates", "stories", "dead letters", "lag",
                  "language"):
        assert topic in titles, f"the dashboard has no panel about {topic}"
    for panel in dash["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert panel["targets"] and all(t["expr"] for t in panel["targets"])
        x, w = panel["gridPos"]["x"], panel["gridPos"]["w"]
        assert x >= 0 and x + w <= 24

    datasources = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    ds = datasources["datasources"][0]
    assert ds["type"] == "prometheus" and ds["url"] == "http://prometheus:9090" and ds["isDefault"]
    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "newsworker.yml").read_text())
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


# --- Kubernetes -------------------------------------------------------------------------------------------

def k8s_documents() -> list[tuple[str, dict]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs.append((path.name, doc))
    return docs


def by_kind(kind: str) -> list[dict]:
    return [doc for _, doc in k8s_documents() if doc["kind"] == kind]


def one(kind: str) -> dict:
    found = by_kind(kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def test_k8s_manifests_match_kubernetes_schemas():
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="the dev extra provides kubernetes-validate: pip install -e '.[dev]'")
    checked = set()
    for name, doc in k8s_documents():
        if doc["apiVersion"].startswith(("keda.sh/", "kustomize.config.k8s.io/")):
            continue  # not Kubernetes built-ins: see the KEDA and kustomization tests
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(f"{name} ({doc['kind']}) against Kubernetes {version}: {exc.message} at {list(exc.path)}")
        checked.add(doc["kind"])
    assert {"StatefulSet", "ConfigMap", "Secret", "Service", "PodDisruptionBudget", "NetworkPolicy"} <= checked


def test_k8s_schema_check_catches_a_misspelt_field():
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    sts = json.loads(json.dumps(one("StatefulSet")))
    container = sts["spec"]["template"]["spec"]["containers"][0]
    container["livenesProbes"] = container.pop("livenessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(sts, KUBERNETES_VERSIONS[0], strict=True)


def test_keda_resources_match_their_schemas():
    import jsonschema

    schemas = {
        "ScaledObject": json.loads((K8S / "schemas" / "scaledobject-keda-v1alpha1.json").read_text()),
        "TriggerAuthentication": json.loads((K8S / "schemas" / "triggerauthentication-keda-v1alpha1.json").read_text()),
    }
    for kind, schema in schemas.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(one(kind), schema, cls=jsonschema.Draft202012Validator)
    # and the schema does reject a misspelt field
    broken = json.loads(json.dumps(one("ScaledObject")))
    broken["spec"]["maxReplicas"] = broken["spec"].pop("maxReplicaCount")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schemas["ScaledObject"], cls=jsonschema.Draft202012Validator)


def test_k8s_manifests_fit_together():
    sts, config, secret = one("StatefulSet"), one("ConfigMap")["data"], one("Secret")
    service, pdb = one("Service"), one("PodDisruptionBudget")
    pod = sts["spec"]["template"]
    labels = pod["metadata"]["labels"]
    container = pod["spec"]["containers"][0]

    # settings: the ConfigMap holds the non-secret ones, the Secret the credentials and the CA
    assert container["envFrom"] == [{"configMapRef": {"name": one("ConfigMap")["metadata"]["name"]}}]
    for key in ("NEWSWORKER_SECURITY_PROTOCOL", "NEWSWORKER_SASL_MECHANISM", "NEWSWORKER_SSL_CAFILE",
                "NEWSWORKER_BROKER", "NEWSWORKER_STORE", "NEWSWORKER_STATE_DIR"):
        assert key in config
    secret_keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
    assert {"NEWSWORKER_SASL_USERNAME", "NEWSWORKER_SASL_PASSWORD", "ca.crt"} <= secret_keys
    assert not {"NEWSWORKER_SASL_PASSWORD", "NEWSWORKER_SASL_USERNAME"} & set(config), "credentials go in the Secret"
    env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container.get("env", [])}
    for name in ("NEWSWORKER_SASL_USERNAME", "NEWSWORKER_SASL_PASSWORD"):
        assert env[name] == {"name": secret["metadata"]["name"], "key": name}
    # every key the worker reads is a real setting
    from workers.settings import Settings

    known = set(Settings().to_env())
    assert set(config) | set(env) <= known, set(config) | set(env) - known

    # RocksDB on a volume per pod, mounted at the state dir; the CA file where NEWSWORKER_SSL_CAFILE points
    assert config["NEWSWORKER_STORE"].startswith("rocksdb://")
    claim = sts["spec"]["volumeClaimTemplates"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts[claim["metadata"]["name"]] == config["NEWSWORKER_STATE_DIR"]
    ca_volume = next(v for v in pod["spec"]["volumes"]
                     if v.get("secret", {}).get("secretName") == secret["metadata"]["name"])
    ca_item = ca_volume["secret"]["items"][0]
    assert config["NEWSWORKER_SSL_CAFILE"] == f"{mounts[ca_volume['name']]}/{ca_item['path']}"

    # probes on the worker's web port
    port = int(config["NEWSWORKER_WEB_PORT"])
    assert container["ports"][0] == {"name": "http", "containerPort": port, "protocol": "TCP"}
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["port"] == "http"
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= container["resources"][kind].keys()
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True

    # the headless Service and the PDB select the worker pods
    assert service["spec"]["clusterIP"] == "None" and sts["spec"]["serviceName"] == service["metadata"]["name"]
    for selector in (service["spec"]["selector"], pdb["spec"]["selector"]["matchLabels"],
                     sts["spec"]["selector"]["matchLabels"]):
        assert selector.items() <= labels.items()
    prom_k8s = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus-kubernetes.yml").read_text())
    dns = prom_k8s["scrape_configs"][0]["dns_sd_configs"][0]
    assert dns["names"] == [f"{service['metadata']['name']}.{service['metadata']['namespace']}.svc.cluster.local"]
    assert dns["port"] == port

    # one namespace for everything
    namespaces = {doc["metadata"].get("namespace") for _, doc in k8s_documents()
                  if doc["kind"] not in {"Namespace", "Kustomization"}}
    assert namespaces == {one("Namespace")["metadata"]["name"]}


def test_keda_scales_on_the_worker_group_lag():
    sts, config, secret = one("StatefulSet"), one("ConfigMap")["data"], one("Secret")
    scaled, auth = one("ScaledObject"), one("TriggerAuthentication")
    secret_keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
    # KEDA scales the StatefulSet on the lag of the worker's consumer group, at most one pod per partition
    assert "replicas" not in sts["spec"], "KEDA owns the replica count"
    target = scaled["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("StatefulSet", sts["metadata"]["name"])
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "kafka"
    meta = trigger["metadata"]
    assert meta["consumerGroup"] == config["NEWSWORKER_APP_ID"]
    assert meta["topic"] in config["NEWSWORKER_RAW_TOPICS"].split(",")
    assert meta["bootstrapServers"] == config["NEWSWORKER_BROKER"].removeprefix("kafka://")
    assert meta["allowIdleConsumers"] == "false"
    assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]
    assert scaled["spec"]["maxReplicaCount"] <= int(config["NEWSWORKER_TOPIC_PARTITIONS"])
    keda_sasl = {"PLAIN": "plaintext", "SCRAM-SHA-256": "scram_sha256", "SCRAM-SHA-512": "scram_sha512"}
    assert meta["sasl"] == keda_sasl[config["NEWSWORKER_SASL_MECHANISM"]]
    assert (meta["tls"] == "enable") == config["NEWSWORKER_SECURITY_PROTOCOL"].endswith("SSL")
    assert trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
    for ref in auth["spec"]["secretTargetRef"]:
        assert ref["name"] == secret["metadata"]["name"] and ref["key"] in secret_keys



def test_kustomization_lists_every_manifest_but_the_example_secret():
    kustomization = one("Kustomization")
    listed = set(kustomization["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == {name for name in present if not name.endswith(".example.yaml")}
    # applying placeholder credentials would overwrite the real Secret
    assert "secret.example.yaml" in present and not any("secret" in name for name in listed)
    (image,) = kustomization["images"]
    assert image["name"] == one("StatefulSet")["spec"]["template"]["spec"]["containers"][0]["image"].split(":")[0]
    text = (K8S / "kustomization.yaml").read_text()
    assert "kubectl -n newsworker create secret generic newsworker-kafka" in text
    assert "@sha256:" in text and "digest" in (REPO / "README.md").read_text()


def test_network_policy_lets_in_the_web_port_and_out_brokers_and_dns():
    policy, config = one("NetworkPolicy"), one("ConfigMap")["data"]
    sts = one("StatefulSet")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= sts["spec"]["template"]["metadata"]["labels"].items()
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    (ingress,) = policy["spec"]["ingress"]
    assert ingress["ports"] == [{"port": int(config["NEWSWORKER_WEB_PORT"]), "protocol": "TCP"}]
    broker_host, broker_port = config["NEWSWORKER_BROKER"].removeprefix("kafka://").split(",")[0].rsplit(":", 1)
    egress_ports = [{(p["port"], p["protocol"]) for p in rule["ports"]} for rule in policy["spec"]["egress"]]
    assert egress_ports == [{(int(broker_port), "TCP")}, {(53, "UDP"), (53, "TCP")}], "brokers and DNS, nothing else"
    broker_ns = policy["spec"]["egress"][0]["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
    assert broker_host.split(".")[1] == broker_ns, "the broker rule names the brokers' namespace"
    # a hung stop ends before the kubelet's SIGKILL
    grace = sts["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert float(config["NEWSWORKER_SHUTDOWN_TIMEOUT_SECONDS"]) < grace


# --- the operations doc -------------------------------------------------------------------------------

def test_operating_doc_covers_every_alert_and_metric():
    doc = (REPO / "README.md").read_text()
    headings = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", doc, re.M)}
    rules = yaml.safe_load((REPO / "deploy" / "prometheus" / "alerts.yml").read_text())
    for rule in (r for g in rules["groups"] for r in g["rules"]):
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert anchor == rule["alert"].lower(), rule["alert"]
        assert anchor in headings, f"README.md has no section for alert {rule['alert']}"

    from prometheus_client import REGISTRY

    import workers.stream.metrics  # noqa: F401

    for family in REGISTRY.collect():
        if family.name.startswith("newsworker_"):
            name = family.name + ("_total" if family.type == "counter" else "")
            assert f"`{name}" in doc, f"README.md does not describe {name}"
