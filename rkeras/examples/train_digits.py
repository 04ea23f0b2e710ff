"""The main job: a small convolutional network with batch normalization on the bundled digits.

    python -m rkeras.examples.train_digits                       # channels-last, 12 epochs
    python -m rkeras.examples.train_digits --channels-first      # axis = 2 batch normalization
    python -m rkeras.examples.train_digits --epochs 5 --verbose 2

Batch normalization follows each convolution (`use_bias = FALSE`: beta plays the bias' role). With
`--channels-first` the images are (1, 8, 8) and `layer_batch_normalization(axis = 2)` normalizes
the channels, exactly as the man page says.
"""

import argparse
import time

import numpy as np

import rkeras as rk


def build_model(channels_first: bool = False):
    """conv 3x3x32 -> BN -> ReLU -> conv 3x3x64 -> BN -> ReLU -> max pool -> dropout -> dense softmax."""
    fmt = "channels_first" if channels_first else "channels_last"
    bn_axis = 2 if channels_first else -1
    shape = (1, 8, 8) if channels_first else (8, 8, 1)
    return (rk.keras_model_sequential(input_shape=shape, name="digits_cnn")
            | rk.layer_conv_2d(filters=32, kernel_size=3, padding="same", use_bias=False, data_format=fmt)
            | rk.layer_batch_normalization(axis=bn_axis)
            | rk.layer_activation(activation="relu")
            | rk.layer_conv_2d(filters=64, kernel_size=3, padding="same", use_bias=False, data_format=fmt)
            | rk.layer_batch_normalization(axis=bn_axis)
            | rk.layer_activation(activation="relu")
            | rk.layer_max_pooling_2d(pool_size=2, data_format=fmt)
            | rk.layer_flatten(data_format=fmt)
            | rk.layer_dropout(rate=0.3)
            | rk.layer_dense(units=10, activation="softmax"))


def load_digits(channels_first: bool = False):
    """Train and test images scaled to [0, 1], shaped for the chosen data format."""
    data = rk.dataset_digits()
    (x_train, y_train), (x_test, y_test) = data["train"], data["test"]
    shape = (1, 8, 8) if channels_first else (8, 8, 1)
    x_train = x_train.reshape((len(x_train),) + shape).astype("float32") / 16.0
    x_test = x_test.reshape((len(x_test),) + shape).astype("float32") / 16.0
    return x_train, y_train, x_test, y_test


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--verbose", default="auto", help="'auto', 0, 1 or 2")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--channels-first", action="store_true")
    args = parser.parse_args(argv)
    verbose = args.verbose if args.verbose == "auto" else int(args.verbose)

    rk.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test = load_digits(args.channels_first)
    model = build_model(args.channels_first)
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=2e-3),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model | rk.summary()
    start = time.perf_counter()
    model | rk.fit(x_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.1, verbose=verbose)
    seconds = time.perf_counter() - start
    result = model | rk.evaluate(x_test, y_test, verbose=0)
    predicted = np.argmax(model | rk.predict(x_test), axis=-1)
    print(f"Trained {args.epochs} epochs in {seconds:.1f} s ({seconds / max(args.epochs, 1):.2f} s/epoch).")
    print(f"Test loss {result['loss']:.4f}, test accuracy {result['accuracy']:.4f} "
          f"({int((predicted == y_test).sum())}/{len(y_test)} digits right).")
    return result


if __name__ == "__main__":
    main()
