"""Training time per epoch: rkeras against PyTorch (NCHW and channels_last) and Keras 3 on JAX.

    pip install ".[bench]"
    python benchmarks/bench_training.py                          # every model, every framework
    python benchmarks/bench_training.py --models cifar_cnn --frameworks rkeras torch_nhwc --epochs 4

Models (the same network in each framework, Adam 1e-3, batch normalization with Keras' epsilon and
momentum):
- `cifar_cnn`: 2048 CIFAR-shaped images (32x32x3), batch 64, four 3x3 conv (no bias) -> batch
  normalization -> relu blocks with a 2x2 max pooling after the second and the fourth, global average
  pooling, dense softmax (issue 24's network);
- `digits_cnn`: the bundled digits (8x8x1), batch 32, conv 3x3x32 -> BN -> relu -> conv 3x3x64 -> BN ->
  relu -> global average pooling -> dense;
- `fordA_conv1d`: FordA-shaped series (1024 series of 500 steps, 1 channel), batch 32, three conv_1d(64,
  kernel 3, same) -> BN -> relu blocks, global average pooling, dense (R keras3's timeseries vignette);
- `mlp`: 8192 rows of 256 features, batch 128, dense(512) -> BN -> relu -> dense(256) -> BN -> relu -> dense.

Each framework runs in its own process (another framework's thread pools in the same process slow the
others on 2 cores), with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (this machine sets them for old
OpenBLAS builds; they cost numpy's sgemm 1.7x) — only in the benchmark's processes, never in tests or CI.
Epoch 1 (compilation, warm-up) is reported apart; later epochs give the median. The table prints each
model's ms per epoch and the ratio rkeras / framework. The data are random (speed does not depend on
them), made with a fixed seed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

MODELS = ("cifar_cnn", "digits_cnn", "fordA_conv1d", "mlp")
FRAMEWORKS = ("rkeras", "torch_nchw", "torch_nhwc", "keras_jax")


# --------------------------------------------------------------------------------------------- data
def make_data(model):
    """(x, y, batch_size, n_classes) with x channels-last, a fixed seed."""
    rng = np.random.default_rng(0)
    if model == "cifar_cnn":
        return rng.random((2048, 32, 32, 3), np.float32), rng.integers(0, 10, 2048), 64, 10
    if model == "digits_cnn":
        import rkeras as rk
        x, y = rk.dataset_digits()["train"]
        return (x.reshape(-1, 8, 8, 1) / 16.0).astype(np.float32), y.astype(np.int64), 32, 10
    if model == "fordA_conv1d":
        return rng.standard_normal((1024, 500, 1), np.float32), rng.integers(0, 2, 1024), 32, 2
    return rng.standard_normal((8192, 256), np.float32), rng.integers(0, 10, 8192), 128, 10


# --------------------------------------------------------------------------------------------- models
def rkeras_model(model, input_shape, n_classes):
    import rkeras as rk
    net = rk.keras_model_sequential(input_shape=input_shape)
    if model == "cifar_cnn":
        for i, filters in enumerate((32, 32, 64, 64)):
            net = (net | rk.layer_conv_2d(filters=filters, kernel_size=3, padding="same", use_bias=False)
                   | rk.layer_batch_normalization() | rk.layer_activation(activation="relu"))
            if i % 2 == 1:
                net = net | rk.layer_max_pooling_2d(pool_size=2)
        net = net | rk.layer_global_average_pooling_2d()
    elif model == "digits_cnn":
        for filters in (32, 64):
            net = (net | rk.layer_conv_2d(filters=filters, kernel_size=3, padding="same")
                   | rk.layer_batch_normalization() | rk.layer_activation(activation="relu"))
        net = net | rk.layer_global_average_pooling_2d()
    elif model == "fordA_conv1d":
        for _ in range(3):
            net = (net | rk.layer_conv_1d(filters=64, kernel_size=3, padding="same")
                   | rk.layer_batch_normalization() | rk.layer_activation(activation="relu"))
        net = net | rk.layer_global_average_pooling_1d()
    else:
        for units in (512, 256):
            net = (net | rk.layer_dense(units=units) | rk.layer_batch_normalization()
                   | rk.layer_activation(activation="relu"))
    return net | rk.layer_dense(units=n_classes, activation="softmax")


def keras_model(model, input_shape, n_classes):
    import keras
    layers = keras.layers
    stack = [keras.Input(input_shape)]
    if model == "cifar_cnn":
        for i, filters in enumerate((32, 32, 64, 64)):
            stack += [layers.Conv2D(filters, 3, padding="same", use_bias=False), layers.BatchNormalization(),
                      layers.Activation("relu")]
            if i % 2 == 1:
                stack.append(layers.MaxPooling2D(2))
        stack.append(layers.GlobalAveragePooling2D())
    elif model == "digits_cnn":
        for filters in (32, 64):
            stack += [layers.Conv2D(filters, 3, padding="same"), layers.BatchNormalization(),
                      layers.Activation("relu")]
        stack.append(layers.GlobalAveragePooling2D())
    elif model == "fordA_conv1d":
        for _ in range(3):
            stack += [layers.Conv1D(64, 3, padding="same"), layers.BatchNormalization(), layers.Activation("relu")]
        stack.append(layers.GlobalAveragePooling1D())
    else:
        for units in (512, 256):
            stack += [layers.Dense(units), layers.BatchNormalization(), layers.Activation("relu")]
    stack.append(layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(stack)


def torch_model(model, input_shape, n_classes, torch):
    nn = torch.nn

    def bn(c, dims):
        return (nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(c, eps=1e-3, momentum=0.01)

    if model == "cifar_cnn":
        stack, c = [], input_shape[-1]
        for i, filters in enumerate((32, 32, 64, 64)):
            stack += [nn.Conv2d(c, filters, 3, padding=1, bias=False), bn(filters, 2), nn.ReLU()]
            c = filters
            if i % 2 == 1:
                stack.append(nn.MaxPool2d(2))
        stack += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, n_classes)]
    elif model == "digits_cnn":
        stack, c = [], input_shape[-1]
        for filters in (32, 64):
            stack += [nn.Conv2d(c, filters, 3, padding=1), bn(filters, 2), nn.ReLU()]
            c = filters
        stack += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, n_classes)]
    elif model == "fordA_conv1d":
        stack, c = [], input_shape[-1]
        for _ in range(3):
            stack += [nn.Conv1d(c, 64, 3, padding=1), bn(64, 1), nn.ReLU()]
            c = 64
        stack += [nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(c, n_classes)]
    else:
        stack, c = [], input_shape[-1]
        for units in (512, 256):
            stack += [nn.Linear(c, units), bn(units, 1), nn.ReLU()]
            c = units
        stack.append(nn.Linear(c, n_classes))
    return nn.Sequential(*stack)


# --------------------------------------------------------------------------------------------- workers
def blas_kernel():
    """What BLAS numpy runs here (threadpoolctl if installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl)"
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} "
                     f"({i.get('num_threads')} threads)" for i in infos) or "none found"


def run_rkeras(model, epochs):
    import rkeras as rk
    x, y, batch, n_classes = make_data(model)
    rk.set_random_seed(0)
    net = rkeras_model(model, x.shape[1:], n_classes)
    net | rk.compile(optimizer=rk.optimizer_adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy")
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        net | rk.fit(x, y, epochs=1, batch_size=batch, verbose=0)
        times.append(time.perf_counter() - start)
    return times


def run_keras(model, epochs):
    import keras
    x, y, batch, n_classes = make_data(model)
    keras.utils.set_random_seed(0)
    net = keras_model(model, x.shape[1:], n_classes)
    net.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.fit(x, y, epochs=1, batch_size=batch, verbose=0)
        times.append(time.perf_counter() - start)
    return times


def run_torch(model, epochs, channels_last):
    import torch
    x, y, batch, n_classes = make_data(model)
    torch.manual_seed(0)
    net = torch_model(model, x.shape[1:], n_classes, torch)
    if x.ndim > 2:  # torch wants channels first: (N, C, ...) logical layout
        x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    if channels_last and xt.ndim == 4:
        net = net.to(memory_format=torch.channels_last)
        xt = xt.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return times


def worker(framework, model, epochs):
    if framework == "rkeras":
        times = run_rkeras(model, epochs)
    elif framework == "keras_jax":
        times = run_keras(model, epochs)
    else:
        times = run_torch(model, epochs, channels_last=framework == "torch_nhwc")
    print(json.dumps({"times": times, "blas": blas_kernel()}))


# --------------------------------------------------------------------------------------------- driver
def bench_env():
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env.setdefault("KERAS_BACKEND", "jax")
    return env


def measure(framework, model, epochs):
    """Epoch times of one framework on one model, in a process of its own; None if it cannot run."""
    cmd = [sys.executable, __file__, "--worker", framework, "--models", model, "--epochs", str(epochs)]
    proc = subprocess.run(cmd, env=bench_env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  {framework} on {model}: failed ({last})", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--frameworks", nargs="+", choices=FRAMEWORKS, default=list(FRAMEWORKS))
    parser.add_argument("--epochs", type=int, default=4, help="epochs per framework, the first reported apart")
    parser.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also save the results to this file")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (epoch 1 is reported apart)")
    if args.worker:
        worker(args.worker, args.models[0], args.epochs)
        return 0
    results = {}
    print(f"{'model':<14}{'framework':<12}{'epoch 1 ms':>12}{'median ms':>12}{'rkeras / it':>13}")
    for model in args.models:
        results[model] = {}
        for framework in args.frameworks:
            out = measure(framework, model, args.epochs)
            if out is None:
                continue
            times = out["times"]
            results[model][framework] = {"first": times[0], "median": statistics.median(times[1:]),
                                         "times": times, "blas": out["blas"]}
        base = results[model].get("rkeras")
        for framework, r in results[model].items():
            ratio = f"{base['median'] / r['median']:.2f}" if base else "-"
            print(f"{model:<14}{framework:<12}{r['first'] * 1e3:12.0f}{r['median'] * 1e3:12.0f}{ratio:>13}")
    blas = {r["blas"] for m in results.values() for r in m.values()}
    print("BLAS (numpy, in the benchmark processes):", "; ".join(sorted(blas)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
