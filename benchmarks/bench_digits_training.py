"""Time per training epoch on the bundled digits: rkeras vs the same network in PyTorch (CPU).

    python benchmarks/bench_digits_training.py [--model mlp|cnn] [--epochs 5]

Both run in this process, same data, batch size 32, Adam; PyTorch is skipped if not installed
(`pip install torch==2.13.0`). Prints the median epoch time of each and the ratio rkeras / torch.
"""

import argparse
import statistics
import time

import numpy as np

import rkeras as rk


def rkeras_model(kind):
    if kind == "mlp":
        return (rk.keras_model_sequential(input_shape=(64,)) | rk.layer_dense(units=128, use_bias=False)
                | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
                | rk.layer_dense(units=64, use_bias=False) | rk.layer_batch_normalization()
                | rk.layer_activation(activation="relu") | rk.layer_dense(units=10, activation="softmax"))
    return (rk.keras_model_sequential(input_shape=(8, 8, 1))
            | rk.layer_conv_2d(filters=32, kernel_size=3, padding="same", use_bias=False)
            | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
            | rk.layer_conv_2d(filters=64, kernel_size=3, padding="same", use_bias=False)
            | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
            | rk.layer_max_pooling_2d(pool_size=2) | rk.layer_flatten()
            | rk.layer_dense(units=10, activation="softmax"))


def torch_model(kind, torch):
    nn = torch.nn
    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128, bias=False), nn.BatchNorm1d(128, eps=1e-3, momentum=0.01), nn.ReLU(),
                             nn.Linear(128, 64, bias=False), nn.BatchNorm1d(64, eps=1e-3, momentum=0.01), nn.ReLU(),
                             nn.Linear(64, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32, eps=1e-3, momentum=0.01),
                         nn.ReLU(), nn.Conv2d(32, 64, 3, padding=1, bias=False),
                         nn.BatchNorm2d(64, eps=1e-3, momentum=0.01), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64 * 16, 10))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    data = rk.dataset_digits()
    x, y = data["train"]
    x = x.astype("float32") / 16.0
    x = x.reshape(len(x), 64) if args.model == "mlp" else x.reshape(len(x), 8, 8, 1)

    rk.set_random_seed(0)
    model = rkeras_model(args.model)
    model | rk.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model | rk.fit(x, y, epochs=1, verbose=0)  # warm-up: numba compile, caches
    rk_times = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        model | rk.fit(x, y, epochs=1, verbose=0)
        rk_times.append(time.perf_counter() - start)
    rk_epoch = statistics.median(rk_times)
    print(f"rkeras  {args.model}: {rk_epoch * 1e3:8.1f} ms/epoch ({len(x)} samples, batch 32)")

    try:
        import torch
    except ImportError:
        print("torch not installed: no ratio (pip install torch==2.13.0)")
        return
    torch.manual_seed(0)
    net = torch_model(args.model, torch)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    xt = torch.from_numpy(x if args.model == "mlp" else np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(y.astype(np.int64))
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        perm = torch.randperm(len(xt))
        correct = 0
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            out = net(xt[idx])
            loss = loss_fn(out, yt[idx])
            loss.backward()
            opt.step()
            correct += int((out.argmax(1) == yt[idx]).sum())
        return correct

    epoch()
    t_times = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        epoch()
        t_times.append(time.perf_counter() - start)
    t_epoch = statistics.median(t_times)
    print(f"torch   {args.model}: {t_epoch * 1e3:8.1f} ms/epoch (threads {torch.get_num_threads()})")
    print(f"ratio rkeras / torch: {rk_epoch / t_epoch:.2f}")


if __name__ == "__main__":
    main()
