"""The main job: train a network with batch normalization on the bundled handwritten digits.

Run with `python -m rkeras.examples.train_digits` (add `--epochs N`, `--verbose 1|2`).
"""

import argparse
import time

import numpy as np

import rkeras as rk


def build_model():
    """Dense -> batch normalization -> ReLU, twice, then a softmax over the 10 digits."""
    return (rk.keras_model_sequential(input_shape=(64,), name="digits_mlp")
            | rk.layer_dense(units=128, use_bias=False)
            | rk.layer_batch_normalization()
            | rk.layer_activation(activation="relu")
            | rk.layer_dense(units=64, use_bias=False)
            | rk.layer_batch_normalization()
            | rk.layer_activation(activation="relu")
            | rk.layer_dropout(rate=0.2)
            | rk.layer_dense(units=10, activation="softmax"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--verbose", default="auto")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    verbose = args.verbose if args.verbose == "auto" else int(args.verbose)

    rk.set_random_seed(args.seed)
    data = rk.dataset_digits()
    (x_train, y_train), (x_test, y_test) = data["train"], data["test"]
    x_train = x_train.reshape(len(x_train), 64).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), 64).astype("float32") / 16.0

    model = build_model()
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model | rk.summary()
    start = time.perf_counter()
    model | rk.fit(x_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.1,
                   verbose=verbose)
    seconds = time.perf_counter() - start
    result = model | rk.evaluate(x_test, y_test, verbose=0)
    predicted = np.argmax(model | rk.predict(x_test), axis=-1)
    print(f"Trained {args.epochs} epochs in {seconds:.1f} s ({seconds / max(args.epochs, 1):.2f} s/epoch).")
    print(f"Test loss {result['loss']:.4f}, test accuracy {result['accuracy']:.4f} "
          f"({int((predicted == y_test).sum())}/{len(y_test)} digits right).")
    return result


if __name__ == "__main__":
    main()
