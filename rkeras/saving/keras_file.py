"""The `.keras` zip (`metadata.json`, `config.json`, `model.weights.h5`) and atomic writes.

Writing goes to a temporary file in the target's folder, is flushed to disk, then renamed over the
target, so a crash mid-save leaves the previous file (or none), never a broken one. Reading checks
the zip before trusting it: member names, count and sizes are capped (zip bombs), JSON must parse,
and the HDF5 part is opened from memory by h5py (no path inside the zip is ever extracted).
"""

import datetime
import io
import json
import os
import tempfile
import zipfile

from .serialization import UnsafeFileError

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
KERAS_VERSION = "3.15.1"  # the Keras 3 release whose layout this writes
MAX_JSON_BYTES = 64 * 2 ** 20
_MAX_WEIGHTS_BYTES = 8 * 2 ** 30
_MAX_RATIO = 200  # uncompressed / compressed size beyond which a member is taken for a zip bomb


def check_target(filepath, overwrite: bool, suffix: str, arg_name: str) -> str:
    """The path as a string, checked: right extension, and no existing file unless `overwrite`."""
    path = os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else None
    if path is None:
        raise TypeError(f"`{arg_name}` must be a file path (string); received {filepath!r}.")
    if not path.endswith(suffix):
        raise ValueError(f"`{arg_name}` must end with '{suffix}'; received {path!r}.")
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"`{arg_name}`: {path!r} already exists; pass `overwrite = TRUE` to replace it.")
    return path


def atomic_write(path: str, write) -> None:
    """Call `write(fileobj)` on a temporary file beside `path`, fsync it, then rename it to `path`."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        try:  # make the rename itself durable
            dir_fd = os.open(folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_keras_zip(path: str, config: dict, weights_bytes: bytes) -> None:
    metadata = {"keras_version": KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr(METADATA, json.dumps(metadata))
            z.writestr(CONFIG, json.dumps(config))
            z.writestr(WEIGHTS, weights_bytes)

    atomic_write(path, write)


def _read_member(z, info, cap):
    if info.file_size > cap:
        raise UnsafeFileError(f"'{info.filename}' in the .keras file is too large ({info.file_size} bytes; "
                              f"at most {cap}).")
    if info.compress_type != zipfile.ZIP_STORED and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
        raise UnsafeFileError(f"'{info.filename}' in the .keras file expands {info.file_size} / "
                              f"{info.compress_size} times: refused as a zip bomb.")
    with z.open(info) as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise UnsafeFileError(f"'{info.filename}' in the .keras file is larger than it declares.")
    return data


def read_keras_zip(path: str):
    """(config dict, metadata dict, weights bytes) of a `.keras` file, after the safety checks."""
    try:
        z = zipfile.ZipFile(path, "r")
    except zipfile.BadZipFile as err:
        raise UnsafeFileError(f"{path!r} is not a valid .keras file (not a zip archive): {err}.") from err
    with z:
        infos = z.infolist()
        if len(infos) > 64:
            raise UnsafeFileError(f"{path!r} has {len(infos)} members; a .keras file has a handful.")
        by_name = {i.filename: i for i in infos}
        for name in (CONFIG, WEIGHTS):
            if name not in by_name:
                raise UnsafeFileError(f"{path!r} is not a valid .keras file: '{name}' is missing.")
        try:
            config = json.loads(_read_member(z, by_name[CONFIG], MAX_JSON_BYTES))
            metadata = (json.loads(_read_member(z, by_name[METADATA], MAX_JSON_BYTES))
                        if METADATA in by_name else {})
        except (ValueError, UnicodeDecodeError) as err:
            if isinstance(err, UnsafeFileError):
                raise
            raise UnsafeFileError(f"{path!r}: malformed JSON in the .keras file: {err}.") from err
        except zipfile.BadZipFile as err:
            raise UnsafeFileError(f"{path!r}: corrupt member in the .keras file: {err}.") from err
        try:
            weights = _read_member(z, by_name[WEIGHTS], _MAX_WEIGHTS_BYTES)
        except zipfile.BadZipFile as err:
            raise UnsafeFileError(f"{path!r}: corrupt member in the .keras file: {err}.") from err
    if not isinstance(config, dict):
        raise UnsafeFileError(f"{path!r}: config.json must hold an object.")
    return config, metadata, weights


def open_h5_bytes(data: bytes, what: str):
    """An h5py file read from memory (a malformed file is a clear error)."""
    import h5py
    try:
        return h5py.File(io.BytesIO(data), "r")
    except (OSError, ValueError) as err:
        raise UnsafeFileError(f"{what} is not a valid HDF5 file: {err}.") from err


def open_h5_path(path: str):
    import h5py
    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as err:
        raise UnsafeFileError(f"{path!r} is not a valid HDF5 weights file: {err}.") from err


def h5_bytes(fill) -> bytes:
    """The bytes of an HDF5 file that `fill(h5)` writes, built in memory."""
    import h5py
    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        fill(h5)
    return buf.getvalue()
