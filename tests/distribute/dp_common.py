"""Helpers shared by the MPI worker scripts of tests/distribute (run by `mpiexec -n 2 python <worker>`)."""

import hashlib
import json
import sys

import numpy as np


def rel_err(a, b) -> float:
    """max |a - b| / max |b| (0 when both are 0)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1e-30)
    return float(np.max(np.abs(a - b))) / scale if a.size else 0.0


def max_rel(pairs) -> float:
    return max((rel_err(a, b) for a, b in pairs), default=0.0)


def weights_digest(model) -> str:
    h = hashlib.sha256()
    for w in model.get_weights():
        h.update(np.ascontiguousarray(w).tobytes())
    return h.hexdigest()[:16]


def emit(tag, payload, rank=0):
    """One machine-readable line on stdout: `TAG rank <json>`."""
    sys.stdout.write(f"{tag} {rank} {json.dumps(payload)}\n")  # one write: ranks' lines do not interleave
    sys.stdout.flush()


def mpi_rank_size():
    from mpi4py import MPI
    return MPI.COMM_WORLD.Get_rank(), MPI.COMM_WORLD.Get_size()


def arg(i, default=None):
    return sys.argv[i] if len(sys.argv) > i else default
