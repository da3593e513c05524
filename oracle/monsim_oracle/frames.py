"""What sys._getframe shows a program while a run records (oracle/PROTOCOL.md §4.4).

The callables a program registers are wrapped in recording callbacks, Python
functions of ours. A callback that looks at its caller's frame
(`sys._getframe().f_back`: bdb's monitoring backend, `sys._getframe(1)`: pydevd) would
find the wrapper there instead of the frame the event happened in. While a run records,
`sys._getframe` skips the wrappers' frames, and a frame whose caller is a wrapper comes
back as a view whose `f_back` skips it too (every other attribute is the frame's own,
assignments included).

Standalone on purpose (no import of the package): `monsim export-py` embeds this file in
the scripts it writes (interpreter/pyrepro.cpp), which must do the same; recorder.py
registers it as a harness file.
"""

import sys

_getframe = sys._getframe
# The code objects of the recording wrappers (recorder.py adds its own).
HIDDEN = set()


def _past_wrappers(f):
    while f is not None and f.f_code in HIDDEN:
        f = f.f_back
    return f


class FrameView:
    """A frame whose caller is a recording wrapper, seen without the wrapper."""

    __slots__ = ("_frame",)

    def __init__(self, frame):
        object.__setattr__(self, "_frame", frame)

    @property
    def f_back(self):
        return _past_wrappers(self._frame.f_back)

    def __getattr__(self, name):
        return getattr(self._frame, name)

    def __setattr__(self, name, value):
        setattr(self._frame, name, value)

    def __repr__(self):
        return repr(self._frame)


def program_getframe(depth=0):
    """sys._getframe as the program sees it while a run records."""
    f = _getframe(1)
    for _ in range(depth):
        f = _past_wrappers(f.f_back)
        if f is None:
            raise ValueError("call stack is not deep enough")
    back = f.f_back
    if back is not None and back.f_code in HIDDEN:
        return FrameView(f)
    return f
