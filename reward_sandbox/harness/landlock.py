"""Landlock: what a program may reach of the sandbox's file system, set by the kernel.

The program, its runners and its compiler run as the same user as the driver and the
problem's judges (a session has one uid), so file modes cannot keep a judge's files
from them: the owner may always chmod. Landlock (Linux 5.13 and later, for
unprivileged processes) lets a process give up access for itself and everything it
starts: the program's processes keep read and execute access to the system's files,
full access to their work dir and scratch places, and nothing else. The judges'
directories sit beside the work dir and are out of reach; so is every process outside
the program's domain (no ptrace, no /proc/PID/{fd,mem,root,environ} of the driver or
an interactor) and, from ABI 6, no signal to them.

Standard library only: runs inside the sandbox on its python3. The calls are made in
the child between fork and exec (the driver's preexec step), never in the driver.
"""

from __future__ import annotations

import ctypes
import os

# The syscall numbers are the same on every architecture (the generic table).
_CREATE_RULESET = 444
_ADD_RULE = 445
_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_EXECUTE = 1 << 0
_WRITE_FILE = 1 << 1
_READ_FILE = 1 << 2
_READ_DIR = 1 << 3
_IOCTL_DEV = 1 << 15
# Every file-system right of each ABI version (1: 13 rights; 2: REFER; 3: TRUNCATE; 5: IOCTL_DEV).
_FS_RIGHTS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_RIGHTS = 0b11  # ABI 4: bind and connect TCP (the sandbox has no network; belt and braces)
_SCOPES = 0b11  # ABI 6: abstract unix sockets and signals of processes outside the domain
_READ_ONLY = _EXECUTE | _READ_FILE | _READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 where it is missing, disabled or filtered out."""
    version = _libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def _fs_rights(abi: int) -> int:
    return _FS_RIGHTS.get(abi, _FS_RIGHTS[5])


def restrict(abi: int, hidden_top: str, writable: list[str]) -> None:
    """Confine the calling process (and what it starts) to read-only access to every top
    level of the file system but `hidden_top`, full access beneath each of `writable`,
    and writes to the devices of /dev (/dev/null). Raises OSError where the kernel refuses."""
    handled = _fs_rights(abi)
    attr = _RulesetAttr(handled, _NET_RIGHTS if abi >= 4 else 0, _SCOPES if abi >= 6 else 0)
    # A ruleset's size says which of its fields the kernel should read.
    size = ctypes.sizeof(ctypes.c_uint64) * (3 if abi >= 6 else 2 if abi >= 4 else 1)
    ruleset = _libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise _error("create a Landlock ruleset")
    try:
        rules = [(os.path.join("/", name), _READ_ONLY) for name in os.listdir("/") if name != hidden_top.strip("/")]
        rules.append(("/dev", _READ_ONLY | _WRITE_FILE | (_IOCTL_DEV if abi >= 5 else 0)))
        rules += [(path, handled) for path in writable]
        for path, allowed in rules:
            _allow(ruleset, path, allowed & handled)
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise _error("set no_new_privs")
        if _libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise _error("enforce the Landlock ruleset")
    finally:
        os.close(ruleset)


def _allow(ruleset: int, path: str, allowed: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a place that is not there needs no rule
    try:
        if not os.path.isdir(f"/proc/self/fd/{fd}"):
            # Rules on files may carry only the rights that apply to files.
            allowed &= _EXECUTE | _WRITE_FILE | _READ_FILE | (1 << 14) | _IOCTL_DEV
        beneath = _PathBeneath(allowed, fd)
        if (
            _libc.syscall(
                _ADD_RULE,
                ctypes.c_int(ruleset),
                ctypes.c_int(_RULE_PATH_BENEATH),
                ctypes.byref(beneath),
                ctypes.c_uint32(0),
            )
            != 0
        ):
            raise _error(f"allow {path}")
    finally:
        os.close(fd)


def _error(what: str) -> OSError:
    number = ctypes.get_errno()
    return OSError(number, f"cannot {what}: {os.strerror(number)}")
