"""Isolation backends: each starts driver sessions in its own kind of sandbox."""

from __future__ import annotations

from typing import Literal

from reward_sandbox.backends.base import SandboxBackend, SandboxUnavailable
from reward_sandbox.limits import Limits

BackendName = Literal["bwrap", "docker", "unsafe"]


def create_backend(name: BackendName, maxima: Limits, *, image: str = "reward-sandbox:0.1.0") -> SandboxBackend:
    # Imported here so a deployment without the docker SDK can still use bwrap.
    if name == "bwrap":
        from reward_sandbox.backends.bwrap import BwrapBackend

        return BwrapBackend(maxima)
    if name == "docker":
        from reward_sandbox.backends.docker import DockerBackend

        return DockerBackend(maxima, image=image)
    if name == "unsafe":
        from reward_sandbox.backends.unsafe import UnisolatedBackend

        return UnisolatedBackend(maxima)
    raise SandboxUnavailable(f"unknown sandbox backend {name!r}: choose bwrap or docker")


__all__ = ["BackendName", "SandboxBackend", "SandboxUnavailable", "create_backend"]
