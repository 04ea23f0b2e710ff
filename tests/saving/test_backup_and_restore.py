"""`callback_backup_and_restore()`: a fit killed by SIGKILL mid-epoch, restarted, ends like an uninterrupted one."""

import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(__file__)
WORKER = os.path.join(HERE, "backup_worker.py")


def _run(backup_dir, out, kill):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(os.path.dirname(HERE)),
                                                         os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, WORKER, str(backup_dir), str(out), kill], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_killed_fit_resumes_to_the_uninterrupted_weights(tmp_path):
    # the uninterrupted run in a fresh process too, like the resumed ones: in this process, after the rest of
    # the suite, its weights came out 1 ulp apart in 5 of 48 values (state another test leaves; not found)
    reference_run = _run(tmp_path / "ref_backup", tmp_path / "reference.npz", "none")
    assert reference_run.returncode == 0, reference_run.stderr
    with np.load(tmp_path / "reference.npz") as z:
        reference = [z[f"arr_{i}"] for i in range(len(z.files))]
    assert not os.path.exists(tmp_path / "ref_backup")  # delete_checkpoint = TRUE once training completes

    backup = tmp_path / "backup"
    killed = _run(backup, tmp_path / "killed.npz", "3:4")  # third epoch, fourth batch of six
    assert killed.returncode == -9, killed.stderr
    assert not (tmp_path / "killed.npz").exists()
    assert os.listdir(backup) == ["latest.backup"]  # two epochs backed up, no temporary file left

    second = _run(backup, tmp_path / "second.npz", "2:1")  # killed again, one batch after resuming
    assert second.returncode == -9, second.stderr

    done = _run(backup, tmp_path / "done.npz", "none")
    assert done.returncode == 0, done.stderr
    with np.load(tmp_path / "done.npz") as z:
        resumed = [z[f"arr_{i}"] for i in range(len(z.files))]
    assert len(resumed) == len(reference)
    for a, b in zip(reference, resumed):
        np.testing.assert_array_equal(a, b)  # bit-equal: weights, optimizer, shuffling and dropout states
    assert not backup.exists()
