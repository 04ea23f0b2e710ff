"""Warnings located at the user's line: the first caller outside the rkeras package."""

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category=UserWarning) -> None:
    """`warnings.warn` with the stack level of the first frame outside rkeras (the user's code).

    Parameters
    ----------
    message : str
        The warning text.
    category : type
        The warning class.
    """
    level, frame = 1, sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)
