"""Keeping a scenario's processes and raw file descriptors away from the protocol.

A program may fork (a child is a copy of the worker, mid-run), start processes that
outlive it, read fd 0 or write fd 1 directly. Any of these could steal a request or
write into the reply stream. So:
  * under Node (pyodide, Brython), the runner's private channel carries the protocol,
    and the program's stdin reads nothing and its stdout goes to stderr;
and, where the platform has them (not under pyodide):
  * the protocol moves to private descriptors, which programs started with exec do
    not inherit; fd 0 reads /dev/null and fd 1 writes to the worker's stderr;
  * a forked child closes those descriptors at once and never answers;
  * the worker leads its own process group, and after every run it kills whatever
    else is in that group (children, grandchildren that did not start a session of
    their own) and reaps them: no process of a run outlives it. Looking through the
    group means reading every process's /proc entry, which costs more than a quick
    run; so it is done only after a run that may have had a process: the worker has
    a child (alive or a zombie), or the reaped children's page faults grew (every
    process that ran faults at least once; a grandchild needs a child first).
"""
import os
import signal
import sys
import time

from . import HARNESS_FILES, _here

HARNESS_FILES.add(_here())

_worker_pid = os.getpid()
_private = []  # the protocol's descriptors, closed in a forked child


def protocol_streams():
    """(input, output) text streams of the protocol, moved off fds 0 and 1 if it can."""
    host = _host_channel()
    if host is not None:
        return host
    if not hasattr(os, "dup2") or not hasattr(os, "fork"):
        return sys.stdin, sys.stdout
    try:
        sys.stdout.flush()
        pin, pout = os.dup(0), os.dup(1)  # not inherited across exec (PEP 446)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(2, 1)
    except OSError:
        return sys.stdin, sys.stdout
    _private.extend((pin, pout))
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_in_child)
    if hasattr(os, "setpgid"):
        try:
            os.setpgid(0, 0)
        except OSError:
            pass  # already a group leader, or not allowed: strays are then not found
    return (os.fdopen(pin, "r", encoding="utf-8", newline="\n"),
            os.fdopen(pout, "w", encoding="utf-8", newline="\n"))


class _NodeIn:
    def __init__(self, channel):
        self.channel = channel

    def readline(self):
        line = self.channel.read_line()
        return "" if line is None else line


class _NodeOut:
    def __init__(self, channel):
        self.channel = channel

    def write(self, text):
        self.channel.write(text)

    def flush(self):
        pass  # write() is a blocking write of the whole text


def _host_channel():
    """Under Node (pyodide, Brython): the runner's private channel, if it offers one."""
    try:
        import monsim_stdio
    except ImportError:
        return None
    sys.stdout.flush()
    monsim_stdio.privatise()
    return _NodeIn(monsim_stdio), _NodeOut(monsim_stdio)


def _in_child():
    for fd in _private:
        try:
            os.close(fd)
        except OSError:
            pass


def lost_descriptors():
    """The worker's standard descriptors a run closed: a worker without them retires."""
    if not hasattr(os, "fstat"):
        return []
    lost = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            lost.append(fd)
    return lost


def is_forked_child():
    """True in a copy of the worker made by a fork during a run: it must not answer."""
    return os.getpid() != _worker_pid


_reaped = [None]  # the reaped children's usage when the group was last looked through


def _reaped_usage():
    try:
        import resource
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
    except (ImportError, OSError):
        return None
    return (r.ru_minflt, r.ru_majflt, r.ru_nvcsw, r.ru_nivcsw, r.ru_utime, r.ru_stime)


def _has_children():
    """Whether the worker has a child now (running, or ended and not yet waited for:
    then it is reaped here); None if the platform does not say. One system call: the
    per-thread lists of /proc/PID/task/*/children cost ~40 us a run."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return False
    except (OSError, AttributeError):
        return None
    return True


def _may_have_strays():
    usage = _reaped_usage()
    if usage is None or usage != _reaped[0]:
        return True
    return _has_children() is not False


def end_strays():
    """Kills and reaps every other process of the worker's group; how many there were."""
    if not hasattr(os, "getpgrp") or os.getpgrp() != _worker_pid:
        return 0
    if sys.platform in ("emscripten", "wasi"):
        return 0  # nothing starts a process there (pyodide); looking cost 0.6 ms a run
    if not _may_have_strays():
        return 0
    try:
        return _end_strays()
    finally:
        _reaped[0] = _reaped_usage()


def _end_strays():
    killed, children = [], []
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        pids = []
    for pid in pids:
        if pid == _worker_pid:
            continue
        fields = _stat(pid)
        if fields is not None and int(fields[2]) == _worker_pid:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except OSError:
                pass
            if int(fields[1]) == _worker_pid:
                children.append(pid)
    # Gone before the reply: reap the worker's own children, and wait until the
    # others (reparented, reaped by init) have died.
    waiting = set(killed)
    deadline = time.monotonic() + 2.0
    while waiting and time.monotonic() < deadline:
        for pid in list(waiting):
            if pid in children:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] != pid:
                        continue
                except ChildProcessError:
                    pass
            else:
                fields = _stat(pid)
                if fields is not None and fields[0] != b"Z":
                    continue
            waiting.discard(pid)
        if waiting:
            time.sleep(0.005)
    return len(killed)


def _stat(pid):
    """The fields of /proc/PID/stat after the command name (state, ppid, pgrp, …)."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()  # comm may hold spaces and ')'
    return fields if len(fields) > 2 else None
