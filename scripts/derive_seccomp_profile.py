"""Derive k8s/seccomp/reward-bwrap.json from the container engine's default seccomp profile.

The code worker runs bubblewrap, which needs namespace and mount syscalls that
the runtimes' default profile (containerd's and Docker's are the same list)
only allows to containers holding CAP_SYS_ADMIN. This keeps the default profile
exactly as a container without any capability gets it (less io_uring, see
DROPPED_SYSCALLS), and adds those syscalls and nothing else:

    python scripts/derive_seccomp_profile.py DEFAULT_JSON > k8s/seccomp/reward-bwrap.json

DEFAULT_JSON is Moby's profiles/seccomp/default.json (Debian ships it in
golang-github-docker-docker-dev under /usr/share/gocode/src/github.com/docker/docker/).
The output is in the OCI runtime-spec form that containerd, CRI-O and Docker all
read for `seccompProfile: {type: Localhost}`: no capability or kernel-version
conditions left in it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# x86-64 and arm64 nodes (with their 32-bit compat ABIs).
ARCHES = {"amd64", "x32", "x86", "arm64", "arm"}
OCI_ARCHITECTURES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]

# What bwrap --unshare-all --disable-userns --proc --dev --tmpfs --hostname needs beyond the default:
# new namespaces (clone with CLONE_NEW* flags, unshare, setns), building its root (mount, umount2,
# pivot_root) and naming the sandbox (sethostname). Each acts inside the namespaces bwrap creates.
BWRAP_SYSCALLS = [
    "clone",
    "mount",
    "pivot_root",
    "setdomainname",
    "sethostname",
    "setns",
    "umount",
    "umount2",
    "unshare",
]

# Older engine profiles (Docker 20.10, which Debian 12 ships) still allow io_uring; current
# containerd and Moby profiles dropped it after its run of kernel CVEs, and so do we.
DROPPED_SYSCALLS = {"io_uring_enter", "io_uring_register", "io_uring_setup"}


def applies_without_capabilities(rule: dict[str, Any]) -> bool:
    includes = rule.get("includes") or {}
    excludes = rule.get("excludes") or {}
    if includes.get("caps"):
        return False  # granted only with a capability; the code worker drops them all
    if includes.get("arches") and not ARCHES & set(includes["arches"]):
        return False
    if excludes.get("arches") and ARCHES <= set(excludes["arches"]):
        return False
    return True  # excludes.caps: rules for containers *without* those capabilities, i.e. ours


def derive(default_profile: dict[str, Any]) -> dict[str, Any]:
    syscalls = []
    for rule in default_profile["syscalls"]:
        if not applies_without_capabilities(rule):
            continue
        names = [name for name in rule["names"] if name not in BWRAP_SYSCALLS and name not in DROPPED_SYSCALLS]
        if not names:
            continue  # e.g. the argument-filtered clone that forbids CLONE_NEW* flags
        oci_rule: dict[str, Any] = {"names": names, "action": rule["action"]}
        if rule.get("args"):
            oci_rule["args"] = rule["args"]
        if "errnoRet" in rule:
            oci_rule["errnoRet"] = rule["errnoRet"]
        syscalls.append(oci_rule)
    syscalls.append({"names": BWRAP_SYSCALLS, "action": "SCMP_ACT_ALLOW"})
    return {"defaultAction": default_profile["defaultAction"], "architectures": OCI_ARCHITECTURES, "syscalls": syscalls}


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    profile = derive(json.loads(Path(sys.argv[1]).read_text()))
    json.dump(profile, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
