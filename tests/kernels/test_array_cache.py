"""rkeras' array cache (rkeras/kernels/array_cache.py): numpy's allocator while rkeras works, reusing the
memory of freed arrays of the same size."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from rkeras.kernels import array_cache as ac

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIB = 1 << 20

pytestmark = pytest.mark.skipif(not ac.enabled(), reason="array cache off (RKERAS_ARRAY_CACHE_MB=0 or no GIL)")


def handler_name(a=None):
    multiarray = np._core.multiarray if hasattr(np, "_core") else np.core.multiarray
    return multiarray.get_handler_name() if a is None else multiarray.get_handler_name(a)


@pytest.fixture(autouse=True)
def empty_cache():
    ac.clear_array_cache()
    yield
    ac.clear_array_cache()


def test_scope_switches_numpy_allocator_and_restores_it_also_on_error():
    before = handler_name()
    with ac.array_cache():
        assert handler_name() == "rkeras_array_cache"
        with ac.array_cache():  # nested
            assert handler_name() == "rkeras_array_cache"
        assert handler_name() == "rkeras_array_cache"
        a = np.empty(MIB, np.uint8)
    assert handler_name() == before
    assert handler_name(a) == "rkeras_array_cache"  # the array keeps its allocator for its whole life
    with pytest.raises(KeyError), ac.array_cache():
        raise KeyError("x")
    assert handler_name() == before

    @ac.uses_array_cache
    def allocate(n):
        assert handler_name() == "rkeras_array_cache"
        raise ValueError(n)

    with pytest.raises(ValueError):
        allocate(3)
    assert handler_name() == before


def test_freed_block_is_reused_for_the_same_size_and_up_to_an_eighth_smaller():
    with ac.array_cache():
        a = np.empty(MIB, np.uint8)
        where = a.ctypes.data
        del a
        assert ac.cache_statistics()["cached"] == MIB
        b = np.empty(MIB, np.uint8)
        assert b.ctypes.data == where
        del b
        c = np.empty(MIB - MIB // 8, np.uint8)  # fits: reused
        assert c.ctypes.data == where
        del c
        d = np.empty(MIB // 2, np.uint8)  # would waste half the block: a new one
        assert d.ctypes.data != where
        e = np.empty(MIB + 1, np.uint8)  # larger than the block: a new one
        assert e.ctypes.data != where
    stats = ac.cache_statistics()
    assert stats["hits"] >= 2 and stats["cached"] == MIB


def test_freed_outside_the_scope_still_returns_to_the_cache():
    with ac.array_cache():
        a = np.ones(MIB, np.uint8)
    assert ac.cache_statistics()["cached"] == 0
    del a
    assert ac.cache_statistics()["cached"] == MIB


def test_zeros_are_zero_in_a_reused_dirty_block():
    with ac.array_cache():
        a = np.empty(300_000, np.float32)
        a.fill(7.0)
        where = a.ctypes.data
        del a
        hits = ac.cache_statistics()["hits"]
        z = np.zeros(300_000, np.float32)
        assert z.ctypes.data == where and ac.cache_statistics()["hits"] == hits + 1
        assert not z.any()


def test_values_small_blocks_and_realloc():
    rng = np.random.default_rng(0)
    with ac.array_cache():
        arrays = [rng.standard_normal(n) for n in (1, 7, 100, 5000, 40_000, 200_000)]  # 8 B .. 1.6 MB
        copies = [a.copy() for a in arrays]
        for a, c in zip(arrays, copies):
            np.testing.assert_array_equal(a, c)
            assert a.ctypes.data % 16 == 0  # numpy's default alignment is kept
        grown = np.arange(10_000, dtype=np.float64)
        grown.resize(300_000, refcheck=False)  # realloc across the cached-block size
        np.testing.assert_array_equal(grown[:10_000], np.arange(10_000))
        assert not grown[10_000:].any()
        grown.resize(100, refcheck=False)
        np.testing.assert_array_equal(grown, np.arange(100))
        cached = ac.cache_statistics()["cached"]
        del grown  # 800 bytes now: back to the C library, not kept as the 2.4 MB block it was
        assert ac.cache_statistics()["cached"] == cached


def test_capacity_bounds_the_cached_bytes_and_releases_the_least_recently_freed():
    saved = ac._state[ac.CAPACITY]
    ac._state[ac.CAPACITY] = 3 * MIB
    try:
        with ac.array_cache():
            arrays = [np.empty(MIB, np.uint8) for _ in range(4)]
            addresses = [a.ctypes.data for a in arrays]
            released = ac.cache_statistics()["released"]
            for i in range(4):  # free the four in order: the first goes back to the C library
                arrays[i] = None
            stats = ac.cache_statistics()
            assert stats["cached"] == 3 * MIB and stats["released"] == released + 1
            big = np.empty(4 * MIB, np.uint8)  # larger than the capacity: never cached
            del big
            assert ac.cache_statistics()["cached"] == 3 * MIB
            again = [np.empty(MIB, np.uint8) for _ in range(3)]  # the three cached blocks
            assert sorted(a.ctypes.data for a in again) == sorted(addresses[1:])  # not the first one freed
    finally:
        ac._state[ac.CAPACITY] = saved


FAULTS = """
import resource
import numpy as np
import rkeras as rk
x = np.random.default_rng(0).standard_normal((512, 1024)).astype(np.float32)  # 2 MiB outputs
layer = rk.layer_batch_normalization()
g = np.ones_like(x)
for _ in range(3):
    rk.vjp(layer, x, g)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    layer(x, training=True)
    rk.vjp(layer, x, g)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults_of_20_steps(env):
    # glibc with a fixed 128 KiB mmap threshold (the state measured with torch and jax in the process):
    # every 2 MiB array the C library serves is a fresh mapping, 512 page faults each
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072", **env}
    out = subprocess.run([sys.executable, "-c", FAULTS], env=env, capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's MALLOC_MMAP_THRESHOLD_")
def test_repeated_layer_calls_and_vjp_do_not_page_fault():
    assert faults_of_20_steps({"RKERAS_ARRAY_CACHE_MB": "0"}) > 20 * 3 * 400  # y, y and dx: 3 arrays a step
    assert faults_of_20_steps({}) < 300


@pytest.mark.parametrize("value", ["lots", "-1", "nan", "inf"])
def test_bad_capacity_is_a_clear_error(value):
    code = "import rkeras"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "RKERAS_ARRAY_CACHE_MB": value},
                         capture_output=True, text=True, check=False, cwd=ROOT)
    assert out.returncode != 0
    assert "RKERAS_ARRAY_CACHE_MB" in out.stderr and repr(value) in out.stderr


def test_capacity_from_environment():
    code = "from rkeras.kernels import array_cache as a; print(a.capacity_bytes(), a.enabled())"
    for value, expected in (("0", "0 False"), ("1.5", f"{3 * MIB // 2} True")):
        out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "RKERAS_ARRAY_CACHE_MB": value},
                             capture_output=True, text=True, check=True, cwd=ROOT)
        assert out.stdout.strip() == expected



def test_a_handler_that_cannot_be_built_turns_the_cache_off_with_a_warning(monkeypatch):
    def broken():
        raise OSError("no C library")

    monkeypatch.setattr(ac, "_cache", None)
    monkeypatch.setattr(ac, "_usable", True)
    monkeypatch.setattr(ac, "_Cache", broken)
    before = handler_name()
    with pytest.warns(RuntimeWarning, match="array cache is off.*no C library"), ac.array_cache():
        assert handler_name() == before
    assert not ac.enabled()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning
        with ac.array_cache():
            assert handler_name() == before
    import rkeras as rk
    x = np.arange(24, dtype=np.float32).reshape(6, 4)
    y = rk.layer_batch_normalization()(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-6)


def test_model_verbs_allocate_from_the_cache():
    import rkeras as rk
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 128)).astype(np.float32)  # activations of 256 x 256 float32: 256 KiB
    y = rng.standard_normal((256, 1)).astype(np.float32)
    model = (rk.keras_model_sequential(input_shape=(128,)) | rk.layer_dense(units=256)
             | rk.layer_batch_normalization() | rk.layer_dense(units=1))
    model | rk.compile(optimizer="sgd", loss="mse")
    for verb in (lambda: model.fit(x, y, batch_size=256, epochs=2, verbose=0),
                 lambda: model.train_on_batch(x, y), lambda: model.evaluate(x, y, batch_size=256, verbose=0),
                 lambda: model.predict(x, batch_size=256), lambda: model(x)):
        verb()  # first call: new blocks
        hits = ac.cache_statistics()["hits"]
        verb()
        assert ac.cache_statistics()["hits"] > hits  # the same sizes again: reused
