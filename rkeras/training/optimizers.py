"""Optimizers with Keras 3 update rules and defaults: SGD, Adam, AdamW, RMSprop.

An optimizer updates `Variable`s from their gradients. `apply(grads, variables)` runs, like
Keras 3's `BaseOptimizer.apply`: gradient clipping (`clipnorm`, `global_clipnorm` or `clipvalue`),
decoupled weight decay (`w -= w * weight_decay * learning_rate`), the optimizer's own update step,
then `iterations += 1`, all as one transaction (`core/state_transaction.py`): `_update` works in
place on copies of the weights and slots, which are written back together at the end. Per-variable
slots (momentums, velocities, ...) are created lazily at the first update of each variable and kept
by `id(variable)`.

Arithmetic runs in the variable's dtype (float16 variables in float32, written back as float16), and
hyper-parameters are cast to that dtype first, as Keras does. Variable constraints are *not* applied
here: the trainer applies them after each update (`Variable.apply_constraint()`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from numbers import Real

import numpy as np

from .. import conventions
from ..conventions import check_range
from ..core.config import compute_dtype
from ..core.state_transaction import state_transaction
from ..docstrings import inherit_parameters, shared_doc

__all__ = [
    "optimizer_adadelta", "optimizer_adagrad", "optimizer_adam", "optimizer_adam_w", "optimizer_adamax",
    "optimizer_adamw", "optimizer_ftrl", "optimizer_lamb", "optimizer_lion", "optimizer_nadam",
    "optimizer_rmsprop", "optimizer_sgd",
]

_ACCEPTED_NAMES = ("'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam', 'ftrl', "
                   "'lion', 'lamb'")
LearningRate = float | Callable[[int], float]  # a number or a schedule of the completed iterations


# ---------------------------------------------------------------------------------------------------
# argument checks (each names the argument, the value received and what is accepted)


def _check_optional_positive(value, arg: str):
    if value is None:
        return None
    return check_range(value, arg, low=0.0, low_open=True)


def _check_learning_rate(value):
    if callable(value) and not isinstance(value, (Real, np.number)):
        return value  # a schedule: iterations -> learning rate
    return check_range(value, "learning_rate", low=0.0, low_open=True)


# ---------------------------------------------------------------------------------------------------


class Optimizer:
    """Base class of the optimizers: clipping, weight decay, slots and the iteration counter.

    Subclasses implement `_update(w, g, lr, slots, t)` which updates the numpy array `w` (in the
    compute dtype) in place from the gradient `g`, with `lr` the learning rate, `slots` the dict of
    this variable's state arrays and `t` the 1-based step number.

    Parameters
    ----------
    learning_rate : float or callable
        Step size (> 0), or a schedule: a function of the number of completed iterations (an int)
        that returns the learning rate of the next step.
    weight_decay : float or None
        Decoupled weight decay: before each step, `w -= w * weight_decay * learning_rate`.
    clipnorm : float or None
        Each gradient is rescaled so that its own L2 norm is at most `clipnorm`.
    clipvalue : float or None
        Each gradient element is clipped to `[-clipvalue, clipvalue]`.
    global_clipnorm : float or None
        All gradients are rescaled together so that their joint L2 norm is at most this value.
    name : str or None
        Name of the optimizer (default: the Keras name of its class).
    """

    _default_name = "optimizer"

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        name: str | None = None,
    ):
        self._learning_rate = _check_learning_rate(learning_rate)
        self.weight_decay = (
            None if weight_decay is None else check_range(weight_decay, "weight_decay", low=0.0)
        )
        self.clipnorm = _check_optional_positive(clipnorm, "clipnorm")
        self.clipvalue = _check_optional_positive(clipvalue, "clipvalue")
        self.global_clipnorm = _check_optional_positive(global_clipnorm, "global_clipnorm")
        given = [
            f"{a}={v!r}"
            for a, v in (
                ("clipnorm", clipnorm),
                ("clipvalue", clipvalue),
                ("global_clipnorm", global_clipnorm),
            )
            if v is not None
        ]
        if len(given) > 1:
            raise ValueError(
                f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set; "
                f"received {', '.join(given)}."
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a string or None; received {name!r}.")
        self.name = name or self._default_name
        self.iterations = 0
        self._slots: dict[int, tuple] = {}
        self._exclude_ids: set[int] = set()
        self._exclude_names: list[str] = []

    # -- learning rate ------------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule is evaluated at `iterations`)."""
        if callable(self._learning_rate):
            return float(self._learning_rate(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self._learning_rate = _check_learning_rate(value)

    # -- public API ---------------------------------------------------------------------------------
    @property
    def variables(self) -> list:
        """The slot arrays created so far (for inspection), in creation order."""
        return [arr for _, slots in self._slots.values() for arr in slots.values()]

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exclude variables from weight decay.

        Parameters
        ----------
        var_list : list of Variable or None
            Variables to exclude.
        var_names : list of str or None
            Regular expressions; a variable whose `name` or `path` matches one is excluded.
        """
        for v in var_list or []:
            self._exclude_ids.add(id(v))
        self._exclude_names.extend(str(n) for n in (var_names or []))

    def apply(self, grads: Sequence, variables: Sequence) -> None:
        """Update `variables` in place from `grads` (one gradient per variable, aligned).

        Parameters
        ----------
        grads : list of numpy arrays
            Gradients, each of its variable's shape; a `None` gradient leaves its variable alone.
        variables : list of Variable
            The variables to update. The new weights, slots and `iterations` are committed together
            at the end (or at the end of the training step this runs in), or not at all; inside that
            step the variables already read their new values.
        """
        self._apply(grads, variables, defer=False)

    def apply_in_step(self, grads: Sequence, variables: Sequence) -> None:
        """`apply()` for a training step that reads none of the updated weights before its commit (the
        trainer's step): the weights without a constraint and their slots are updated in place during
        the commit, without the copies `apply()` makes so that the step can read its new values."""
        self._apply(grads, variables, defer=True)

    def _apply(self, grads, variables, defer) -> None:
        grads, variables = list(grads), list(variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"`grads` and `variables` must have the same length; received "
                f"{len(grads)} gradients for {len(variables)} variables."
            )
        pairs = []
        for g, v in zip(grads, variables):
            if g is None:
                continue
            g = np.asarray(g)
            if g.shape != v.value.shape:
                raise ValueError(
                    f"The gradient of variable '{getattr(v, 'path', v)}' has shape {g.shape}; "
                    f"expected the variable's shape {v.value.shape}."
                )
            pairs.append((g, v))
        if not pairs:
            return
        with state_transaction() as transaction:
            # steps already taken in this (not yet committed) transaction, e.g. two apply() in one step
            key = ("iterations", id(self))
            done = transaction.pending_slots.get(key, 0)
            transaction.pending_slots[key] = done + 1
            completed = self.iterations + done
            lr = float(self._learning_rate(completed)) if callable(self._learning_rate) else self._learning_rate
            t = completed + 1
            clipped = self._clip([g for g, _ in pairs])
            for g, v in zip(clipped, (v for _, v in pairs)):
                cd = compute_dtype(v.value.dtype)
                g = np.asarray(g, dtype=cd)
                decay = bool(self.weight_decay) and self._use_weight_decay(v)
                if defer and self._can_defer(v, cd, transaction):
                    # nothing in the step reads this weight after the update (no constraint): update the
                    # weight and its slots in place during the commit, with no copies
                    transaction.pending_slots[("deferred", id(v))] = True
                    transaction.on_commit(lambda v=v, g=g, cd=cd, lr=lr, t=t, decay=decay:
                                          self._update_in_place(v, g, cd, lr, t, decay))
                    continue
                # `_update` works in place on copies; the transaction writes them back at its commit
                w = v.value.astype(cd, copy=True)
                if decay:
                    w -= w * cd.type(self.weight_decay) * cd.type(lr)
                slots = self._staged_slots(v, cd, transaction)
                self._update(w, g, cd.type(lr), slots, t)
                transaction.stage(v, w if w.dtype == v.dtype else w.astype(v.dtype))
            transaction.on_commit(self._count_step)

    def _can_defer(self, v, cd, transaction) -> bool:
        """Whether `v`'s update can run in place at the commit: no constraint reads the updated value
        within the step, the weight is kept in its compute dtype, and the step has not staged it."""
        if transaction.pending_slots.get(("deferred", id(v))):
            return True  # a second update of the step runs after the first, in order, at the commit
        return (getattr(v, "constraint", None) is None and cd == v.dtype and transaction.pending(v) is None
                and ("slots", id(v)) not in transaction.pending_slots)

    def _update_in_place(self, v, g, cd, lr, t, decay) -> None:
        """One update of `v` and its slots in place (a commit action: shapes and dtypes were checked)."""
        w = v._value
        if decay:
            w -= w * cd.type(self.weight_decay) * cd.type(lr)
        self._update(w, g, cd.type(lr), self._slots_for(v, cd), t)

    def get_config(self) -> dict:
        """The constructor arguments (R-style values); `from_config(get_config())` rebuilds it."""
        return {
            "name": self.name,
            "learning_rate": self._learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
        }

    @classmethod
    def from_config(cls, config: dict) -> Optimizer:
        """A new optimizer of this class from a `get_config()` dict.

        Parameters
        ----------
        config : dict
            The output of `get_config()`.
        """
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} learning_rate={self.learning_rate:g}>"

    # -- saved state (Keras 3's `optimizer/vars` layout) -------------------------------------------
    def _slot_groups(self) -> tuple:
        """Slot names grouped as Keras creates them: each group is laid out variable by variable."""
        return (self._slot_names(),)

    def get_state(self, variables) -> list:
        """`iterations`, the learning rate (unless a schedule), then the slots of `variables`, in Keras'
        order; only the first two before the first update (an unbuilt Keras optimizer)."""
        out = [np.asarray(self.iterations, dtype=np.int64)]
        if not callable(self._learning_rate):
            out.append(np.asarray(self._learning_rate, dtype=np.float32))
        if self.iterations == 0 and not self._slots:
            return out
        for group in self._slot_groups():
            for v in variables:
                slots = self._slots_for(v, compute_dtype(v.value.dtype))
                out.extend(slots[name].copy() for name in group)
        return out

    def set_state(self, arrays, variables) -> None:
        """Restore what `get_state(variables)` returned (checked in full before anything changes)."""
        arrays, variables = [np.asarray(a) for a in arrays], list(variables)
        n_head = 1 if callable(self._learning_rate) else 2
        groups = self._slot_groups()
        n_full = n_head + len(variables) * sum(len(g) for g in groups)
        if len(arrays) not in (n_head, n_full):
            raise ValueError(f"Optimizer '{self.name}' state: expected {n_head} or {n_full} arrays for "
                             f"{len(variables)} variables; received {len(arrays)}.")
        if arrays[0].shape != () or arrays[0].dtype.kind not in "iu":
            raise ValueError(f"Optimizer '{self.name}' state: `iterations` must be an integer scalar; "
                             f"received an array of shape {arrays[0].shape} and dtype {arrays[0].dtype}.")
        slots, i = {}, n_head
        if len(arrays) == n_full:
            for group in groups:
                for v in variables:
                    for name in group:
                        a = arrays[i]
                        i += 1
                        if a.shape != v.value.shape:
                            raise ValueError(f"Optimizer '{self.name}' state: slot '{name}' of variable "
                                             f"'{v.path}' has shape {a.shape}; expected {v.value.shape}.")
                        entry = slots.setdefault(id(v), (v, {}))
                        entry[1][name] = a.astype(compute_dtype(v.value.dtype), copy=True)
        self.iterations = int(arrays[0])
        if n_head == 2:
            lr = float(arrays[1])
            # a float32 round trip of the same rate keeps the configured (exact) value
            if np.float32(lr) != np.float32(self._learning_rate):
                self._learning_rate = _check_learning_rate(lr)
        self._slots = slots

    # -- internals ----------------------------------------------------------------------------------
    def _use_weight_decay(self, v) -> bool:
        if id(v) in self._exclude_ids:
            return False
        names = [getattr(v, "name", ""), getattr(v, "path", "")]
        return not any(re.search(p, n) for p in self._exclude_names for n in names if n)

    def _slots_for(self, v, cd) -> dict:
        entry = self._slots.get(id(v))
        if entry is None or entry[0] is not v:
            # keep a reference to the variable so its id cannot be reused while the slots live
            entry = (v, {name: np.full(v.value.shape, self._slot_initial(name), cd)
                         for name in self._slot_names()})
            self._slots[id(v)] = entry
        return entry[1]

    def _staged_slots(self, v, cd, transaction) -> dict:
        """Copies of `v`'s slots (new ones, at `_slot_initial`, at its first update) for `_update`, entered
        at commit.

        A variable updated twice in one transaction continues from its staged slots."""
        key = ("slots", id(v))
        staged = transaction.pending_slots.get(key)
        if staged is not None:
            return staged
        entry = self._slots.get(id(v))
        if entry is None or entry[0] is not v:
            slots = {name: np.full(v.value.shape, self._slot_initial(name), cd) for name in self._slot_names()}
        else:
            slots = {name: arr.copy() for name, arr in entry[1].items()}
        transaction.pending_slots[key] = slots
        # the slots are the optimizer's own: the new arrays replace the old ones (no copy back)
        transaction.on_commit(lambda: self._slots.__setitem__(id(v), (v, slots)))
        return slots

    def _count_step(self) -> None:
        self.iterations += 1

    def _slot_names(self) -> tuple:
        return ()

    def _slot_initial(self, name) -> float:
        return 0.0

    def _update(self, w, g, lr, slots, t) -> None:
        raise NotImplementedError

    def _clip(self, grads: list) -> list:
        # Keras order: clipnorm, else global_clipnorm, else clipvalue (only one can be set)
        if self.clipnorm:
            out = []
            for g in grads:
                norm = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
                out.append(g * (self.clipnorm / max(norm, self.clipnorm)) if norm > 0 else g)
            return out
        if self.global_clipnorm:
            norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
            # min(1/norm, 1/clip) * clip: no-op below the threshold; a non-finite norm gives NaN
            scale = self.global_clipnorm * min(1.0 / norm if norm else math.inf, 1.0 / self.global_clipnorm)
            if not math.isfinite(norm):
                scale = math.nan
            return [g * scale for g in grads]
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum, as Keras 3 `SGD`."""

    _default_name = "SGD"

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        name: str | None = None,
    ):
        self.momentum = check_range(momentum, "momentum", low=0.0, high=1.0)
        self.nesterov = conventions.as_bool(nesterov, "nesterov")
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)

    def _slot_names(self):
        return ("momentum",) if self.momentum != 0 else ()

    def _update(self, w, g, lr, slots, t):
        if self.momentum == 0:
            w -= g * lr
            return
        mom = w.dtype.type(self.momentum)
        m = slots["momentum"]
        m *= mom
        m -= g * lr
        if self.nesterov:
            w += m * mom - g * lr
        else:
            w += m

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (optionally AMSGrad), as Keras 3 `Adam`."""

    _default_name = "adam"

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        name: str | None = None,
    ):
        self.beta_1 = check_range(beta_1, "beta_1", low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_range(beta_2, "beta_2", low=0.0, high=1.0, high_open=True)
        self.epsilon = check_range(epsilon, "epsilon", low=0.0)
        self.amsgrad = conventions.as_bool(amsgrad, "amsgrad")
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)

    def _slot_names(self):
        return ("momentum", "velocity", "velocity_hat") if self.amsgrad else ("momentum", "velocity")

    def _slot_groups(self):
        return (("momentum", "velocity"), ("velocity_hat",)) if self.amsgrad else (("momentum", "velocity"),)

    def _update(self, w, g, lr, slots, t):
        f = w.dtype.type
        one = f(1)
        b1, b2 = f(self.beta_1), f(self.beta_2)
        step = f(t)
        alpha = lr * np.sqrt(one - b2**step) / (one - b1**step)
        m, v = slots["momentum"], slots["velocity"]
        m += (g - m) * f(1.0 - self.beta_1)
        v += (np.square(g) - v) * f(1.0 - self.beta_2)
        if self.amsgrad:
            vhat = slots["velocity_hat"]
            np.maximum(vhat, v, out=vhat)
            v = vhat
        w -= (m * alpha) / (np.sqrt(v) + f(self.epsilon))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.004), as Keras 3 `AdamW`."""

    _default_name = "adamw"

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        name: str | None = None,
    ):
        if weight_decay is None:
            raise ValueError("`weight_decay` must be a number >= 0 for AdamW; received None.")
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            amsgrad,
            weight_decay,
            clipnorm,
            clipvalue,
            global_clipnorm,
            name,
        )


class RMSprop(Optimizer):
    """RMSprop (optionally centered, with momentum), as Keras 3 `RMSprop`."""

    _default_name = "rmsprop"

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        name: str | None = None,
    ):
        self.rho = check_range(rho, "rho", low=0.0, high=1.0, high_open=True)
        self.momentum = check_range(momentum, "momentum", low=0.0, high=1.0)
        self.epsilon = check_range(epsilon, "epsilon", low=0.0)
        self.centered = conventions.as_bool(centered, "centered")
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)

    def _slot_names(self):
        names = ("velocity",)
        if self.momentum > 0:
            names += ("momentum",)
        if self.centered:
            names += ("average_gradient",)
        return names

    def _slot_groups(self):
        return tuple((name,) for name in self._slot_names())  # Keras builds one list per slot kind

    def _update(self, w, g, lr, slots, t):
        f = w.dtype.type
        rho, one_minus_rho = f(self.rho), f(1.0 - self.rho)
        v = slots["velocity"]
        v[...] = rho * v + one_minus_rho * np.square(g)
        if self.centered:
            mg = slots["average_gradient"]
            mg[...] = rho * mg + one_minus_rho * g
            denominator = v - np.square(mg) + f(self.epsilon)
        else:
            denominator = v + f(self.epsilon)
        increment = lr * g / np.sqrt(denominator)
        if self.momentum > 0:
            m = slots["momentum"]
            m[...] = f(self.momentum) * m + increment
            w -= m
        else:
            w -= increment

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


# ---------------------------------------------------------------------------------------------------
# R-style constructors


@shared_doc
def optimizer_sgd(
    learning_rate: LearningRate = 0.01,
    momentum: float = 0.0,
    nesterov: bool = False,
    weight_decay: float | None = None,
    clipnorm: float | None = None,
    clipvalue: float | None = None,
    global_clipnorm: float | None = None,
    name: str = "SGD",
) -> SGD:
    """Gradient descent (with momentum) optimizer.

    Update rule for a weight `w` with gradient `g`, as Keras 3:

    - `momentum = 0`: `w = w - learning_rate * g`
    - else: `m = momentum * m - learning_rate * g`; `w = w + m`
    - `nesterov = TRUE`: `m` as above; `w = w + momentum * m - learning_rate * g`

    Parameters
    ----------
    learning_rate : float or callable
        Step size, > 0 (default 0.01), or a schedule: a function of the number of completed iterations
        returning the learning rate.
    momentum : float
        In [0, 1]: accelerates descent in the relevant direction and dampens oscillations. 0 is
        vanilla gradient descent.
    nesterov : bool
        Whether to apply Nesterov momentum.
    weight_decay : float or None
        If set, decoupled weight decay `w = w - w * weight_decay * learning_rate` before each step.
    {{optimizer_common}}

    Returns
    -------
    SGD
        An optimizer for `compile(optimizer = ...)`.
    """
    return SGD(learning_rate, momentum, nesterov, weight_decay, clipnorm, clipvalue, global_clipnorm, name)


@shared_doc
def optimizer_adam(
    learning_rate: LearningRate = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    amsgrad: bool = False,
    weight_decay: float | None = None,
    clipnorm: float | None = None,
    clipvalue: float | None = None,
    global_clipnorm: float | None = None,
    name: str = "adam",
) -> Adam:
    """Adam optimizer: stochastic gradient descent with adaptive estimates of first and second moments.

    At step `t` (1-based): `lr_t = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)`;
    `m = m + (g - m) * (1 - beta_1)`; `v = v + (g^2 - v) * (1 - beta_2)`;
    `w = w - lr_t * m / (sqrt(v) + epsilon)` (with `amsgrad`, the running maximum of `v` replaces `v`).

    Parameters
    ----------
    learning_rate : float or callable
        Step size, > 0 (default 0.001), or a schedule (function of the completed iterations).
    beta_1 : float
        In [0, 1): exponential decay rate of the first-moment estimates.
    beta_2 : float
        In [0, 1): exponential decay rate of the second-moment estimates.
    epsilon : float
        >= 0: small constant for numerical stability (the "epsilon hat" of Kingma and Ba, 2014).
    amsgrad : bool
        Whether to apply the AMSGrad variant ("On the Convergence of Adam and beyond").
    weight_decay : float or None
        If set, decoupled weight decay `w = w - w * weight_decay * learning_rate` before each step.
    {{optimizer_common}}

    Returns
    -------
    Adam
        An optimizer for `compile(optimizer = ...)`.
    """
    return Adam(
        learning_rate,
        beta_1,
        beta_2,
        epsilon,
        amsgrad,
        weight_decay,
        clipnorm,
        clipvalue,
        global_clipnorm,
        name,
    )


@shared_doc
def optimizer_adamw(
    learning_rate: LearningRate = 0.001,
    weight_decay: float = 0.004,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    amsgrad: bool = False,
    clipnorm: float | None = None,
    clipvalue: float | None = None,
    global_clipnorm: float | None = None,
    name: str = "adamw",
) -> AdamW:
    """AdamW optimizer: Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Each step first decays the weights, `w = w - w * weight_decay * learning_rate`, then takes the
    Adam step (see `optimizer_adam()`).

    Parameters
    ----------
    learning_rate : float or callable
        Step size, > 0 (default 0.001), or a schedule (function of the completed iterations).
    weight_decay : float
        >= 0: the decoupled weight decay rate (default 0.004).
    beta_1 : float
        In [0, 1): exponential decay rate of the first-moment estimates.
    beta_2 : float
        In [0, 1): exponential decay rate of the second-moment estimates.
    epsilon : float
        >= 0: small constant for numerical stability.
    amsgrad : bool
        Whether to apply the AMSGrad variant.
    {{optimizer_common}}

    Returns
    -------
    AdamW
        An optimizer for `compile(optimizer = ...)`.
    """
    return AdamW(
        learning_rate,
        weight_decay,
        beta_1,
        beta_2,
        epsilon,
        amsgrad,
        clipnorm,
        clipvalue,
        global_clipnorm,
        name,
    )


@shared_doc
def optimizer_rmsprop(
    learning_rate: LearningRate = 0.001,
    rho: float = 0.9,
    momentum: float = 0.0,
    epsilon: float = 1e-7,
    centered: bool = False,
    weight_decay: float | None = None,
    clipnorm: float | None = None,
    clipvalue: float | None = None,
    global_clipnorm: float | None = None,
    name: str = "rmsprop",
) -> RMSprop:
    """RMSprop optimizer: divide the gradient by a moving root mean square of past gradients.

    `v = rho * v + (1 - rho) * g^2`; centered: `mg = rho * mg + (1 - rho) * g` and the denominator
    is `v - mg^2` instead of `v`; `increment = learning_rate * g / sqrt(denominator + epsilon)`;
    with momentum: `m = momentum * m + increment`, `w = w - m`; else `w = w - increment`.

    Parameters
    ----------
    learning_rate : float or callable
        Step size, > 0 (default 0.001), or a schedule (function of the completed iterations).
    rho : float
        In [0, 1): discounting factor of the moving average of squared gradients.
    momentum : float
        In [0, 1]: momentum of the increments; 0 disables it.
    epsilon : float
        >= 0: small constant for numerical stability.
    centered : bool
        If `TRUE`, gradients are normalized by the estimated variance of the gradient (uses more memory
        and compute, may help training).
    weight_decay : float or None
        If set, decoupled weight decay `w = w - w * weight_decay * learning_rate` before each step.
    {{optimizer_common}}

    Returns
    -------
    RMSprop
        An optimizer for `compile(optimizer = ...)`.
    """
    return RMSprop(
        learning_rate,
        rho,
        momentum,
        epsilon,
        centered,
        weight_decay,
        clipnorm,
        clipvalue,
        global_clipnorm,
        name,
    )


class Adagrad(Optimizer):
    """Adagrad, as Keras 3 `Adagrad`."""

    _default_name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        self.initial_accumulator_value = check_range(initial_accumulator_value, "initial_accumulator_value",
                                                      low=0.0)
        self.epsilon = check_range(epsilon, "epsilon", low=0.0)
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)

    def _slot_names(self):
        return ("accumulator",)

    def _slot_initial(self, name):
        return self.initial_accumulator_value

    def _update(self, w, g, lr, slots, t):
        acc = slots["accumulator"]
        acc += np.square(g)
        w -= (lr * g) / np.sqrt(acc + w.dtype.type(self.epsilon))

    def get_config(self) -> dict:
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta, as Keras 3 `Adadelta`."""

    _default_name = "adadelta"

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name=None):
        self.rho = check_range(rho, "rho", low=0.0, high=1.0)
        self.epsilon = check_range(epsilon, "epsilon", low=0.0)
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)

    def _slot_names(self):
        return ("accumulated_grad", "accumulated_delta_var")

    def _update(self, w, g, lr, slots, t):
        f = w.dtype.type
        rho, eps = f(self.rho), f(self.epsilon)
        acc_g, acc_d = slots["accumulated_grad"], slots["accumulated_delta_var"]
        acc_g[...] = rho * acc_g + (f(1) - rho) * np.square(g)
        delta = -(np.sqrt(acc_d + eps) * g) / np.sqrt(acc_g + eps)
        acc_d[...] = rho * acc_d + (f(1) - rho) * np.square(delta)
        w += lr * delta

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class _MomentOptimizer(Optimizer):
    """What Adamax, Nadam and Lamb share with Adam: the two decay rates of the moment estimates and epsilon."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        self.beta_1 = check_range(beta_1, "beta_1", low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_range(beta_2, "beta_2", low=0.0, high=1.0, high_open=True)
        self.epsilon = check_range(epsilon, "epsilon", low=0.0)
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Adamax(_MomentOptimizer):
    """Adamax (Adam with the infinity norm), as Keras 3 `Adamax`."""

    _default_name = "adamax"

    def _slot_names(self):
        return ("momentum", "norm")

    def _update(self, w, g, lr, slots, t):
        f = w.dtype.type
        m, u = slots["momentum"], slots["norm"]
        m += (g - m) * f(1.0 - self.beta_1)
        np.maximum(f(self.beta_2) * u, np.abs(g), out=u)
        w -= (lr * m) / ((f(1) - f(self.beta_1) ** f(t)) * (u + f(self.epsilon)))


class Nadam(_MomentOptimizer):
    """Nadam (Adam with Nesterov momentum), as Keras 3 `Nadam`."""

    _default_name = "nadam"

    def _slot_names(self):
        return ("momentum", "velocity")

    def _u_product(self, t, f):
        # Keras keeps the running product of the momentum schedule in a variable; it is a function of t
        p = f(1)
        for s in range(1, t + 1):
            p = p * f(self.beta_1) * (f(1) - f(0.5) * f(0.96) ** f(s))
        return p

    def _update(self, w, g, lr, slots, t):
        f = w.dtype.type
        one, b1, b2, decay = f(1), f(self.beta_1), f(self.beta_2), f(0.96)
        u_t = b1 * (one - f(0.5) * decay ** f(t))
        u_t_1 = b1 * (one - f(0.5) * decay ** f(t + 1))
        u_product_t = self._u_product(t, f)
        u_product_t_1 = u_product_t * u_t_1
        m, v = slots["momentum"], slots["velocity"]
        m += (g - m) * (one - b1)
        v += (np.square(g) - v) * (one - b2)
        m_hat = (u_t_1 * m) / (one - u_product_t_1) + ((one - u_t) * g) / (one - u_product_t)
        v_hat = v / (one - b2 ** f(t))
        w -= (m_hat * lr) / (np.sqrt(v_hat) + f(self.epsilon))


class Ftrl(Optimizer):
    """FTRL-proximal, as Keras 3 `Ftrl`."""

    _default_name = "ftrl"

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name=None):
        self.learning_rate_power = check_range(learning_rate_power, "learning_rate_power", high=0.0)
        self.initial_accumulator_value = check_range(initial_accumulator_value, "initial_accumulator_value",
                                                      low=0.0)
        self.l1_regularization_strength = check_range(l1_regularization_strength, "l1_regularization_strength",
                                                       low=0.0)
        self.l2_regularization_strength = check_range(l2_regularization_strength, "l2_regularization_strength",
                                                       low=0.0)
        self.l2_shrinkage_regularization_strength = check_range(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength", low=0.0)
        self.beta = check_range(beta, "beta", low=0.0)
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)

    def _slot_names(self):
        return ("accumulator", "linear")

    def _slot_initial(self, name):
        return self.initial_accumulator_value if name == "accumulator" else 0.0

    def _update(self, w, g, lr, slots, t):
        f = w.dtype.type
        accum, linear = slots["accumulator"], slots["linear"]
        p = f(self.learning_rate_power)
        l2 = f(self.l2_regularization_strength) + f(self.beta) / (f(2) * lr)
        grad_to_use = g + f(2 * self.l2_shrinkage_regularization_strength) * w
        new_accum = accum + np.square(g)
        linear += grad_to_use - ((np.power(new_accum, -p) - np.power(accum, -p)) / lr) * w
        quadratic = np.power(new_accum, -p) / lr + f(2) * l2
        l1 = f(self.l1_regularization_strength)
        w[...] = (np.clip(linear, -l1, l1) - linear) / quadratic
        accum[...] = new_accum

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


class Lion(Optimizer):
    """Lion (sign of an interpolated momentum), as Keras 3 `Lion`."""

    _default_name = "lion"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name=None):
        self.beta_1 = check_range(beta_1, "beta_1", low=0.0, high=1.0, low_open=True)
        self.beta_2 = check_range(beta_2, "beta_2", low=0.0, high=1.0)
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name)

    def _slot_names(self):
        return ("momentum",)

    def _update(self, w, g, lr, slots, t):
        f = w.dtype.type
        b1, b2 = f(self.beta_1), f(self.beta_2)
        m = slots["momentum"]
        w -= lr * np.sign(m * b1 + g * (f(1) - b1))
        m[...] = m * b2 + g * (f(1) - b2)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


class Lamb(_MomentOptimizer):
    """LAMB (Adam with a layer-wise trust ratio), as Keras 3 `Lamb`."""

    _default_name = "lamb"

    def _slot_names(self):
        return ("momentum", "velocity")

    def _update(self, w, g, lr, slots, t):
        f = w.dtype.type
        one, step = f(1), f(t)
        m, v = slots["momentum"], slots["velocity"]
        m += (g - m) * f(1.0 - self.beta_1)
        v += (np.square(g) - v) * f(1.0 - self.beta_2)
        m_hat = m / (one - f(self.beta_1) ** step)
        update = m_hat / (np.sqrt(v / (one - f(self.beta_2) ** step)) + f(self.epsilon))
        w_norm = np.sqrt(np.sum(np.square(w), dtype=np.float64))  # a sum over all the weights: float64
        g_norm = np.sqrt(np.sum(np.square(update), dtype=np.float64))
        ratio = f(w_norm / g_norm) if w_norm > 0 and g_norm > 0 else one
        w -= ratio * lr * update


def _make_constructor(cls, doc_name, summary, params_doc):
    """An R-style `optimizer_*()` constructor with the class's signature and a generated page."""
    import inspect
    sig = inspect.signature(cls.__init__)
    params = [p.replace(default=cls._default_name) if p.name == "name" else p
              for p in list(sig.parameters.values())[1:]]

    def constructor(*args, **kwargs):
        bound = inspect.Signature(params).bind(*args, **kwargs)
        bound.apply_defaults()
        return cls(**bound.arguments)
    constructor.__signature__ = inspect.Signature(params, return_annotation=cls)
    constructor.__name__ = constructor.__qualname__ = doc_name
    constructor.__module__ = __name__
    constructor.__doc__ = f"""{summary}

    Parameters
    ----------
{params_doc}    {{{{optimizer_common}}}}

    Returns
    -------
    {cls.__name__}
        An optimizer for `compile(optimizer = ...)`.
    """
    return shared_doc(constructor)


_LR = "    learning_rate : float or callable\n        Step size, > 0 (default 0.001), or a schedule (`learning_rate_schedule_*()`).\n"
_WD = ("    weight_decay : float or None\n        If set, decoupled weight decay "
       "`w = w - w * weight_decay * learning_rate` before each step.\n")
_EPS = "    epsilon : float\n        >= 0: small constant for numerical stability.\n"
_B1 = "    beta_1 : float\n        In [0, 1): exponential decay rate of the first-moment estimates.\n"
_B2 = "    beta_2 : float\n        In [0, 1): exponential decay rate of the second-moment (or norm) estimates.\n"

optimizer_adagrad = _make_constructor(Adagrad, "optimizer_adagrad", (
    "Adagrad optimizer: per-parameter learning rates scaled by the accumulated squared gradients.\n\n"
    "    `acc = acc + g^2`; `w = w - learning_rate * g / sqrt(acc + epsilon)` (Keras 3)."),
    _LR + "    initial_accumulator_value : float\n        >= 0: starting value of the accumulators.\n"
    + _EPS + _WD)
optimizer_adadelta = _make_constructor(Adadelta, "optimizer_adadelta", (
    "Adadelta optimizer: adaptive learning rates from moving windows of gradient updates.\n\n"
    "    `a = rho * a + (1 - rho) * g^2`; `delta = -sqrt(d + epsilon) * g / sqrt(a + epsilon)`;\n"
    "    `d = rho * d + (1 - rho) * delta^2`; `w = w + learning_rate * delta` (Keras 3)."),
    _LR + "    rho : float\n        In [0, 1]: the decay rate.\n" + _EPS + _WD)
optimizer_adamax = _make_constructor(Adamax, "optimizer_adamax", (
    "Adamax optimizer: a variant of Adam based on the infinity norm.\n\n"
    "    `m = m + (g - m) * (1 - beta_1)`; `u = max(beta_2 * u, |g|)`;\n"
    "    `w = w - learning_rate * m / ((1 - beta_1^t) * (u + epsilon))` (Keras 3)."),
    _LR + _B1 + _B2 + _EPS + _WD)
optimizer_nadam = _make_constructor(Nadam, "optimizer_nadam", (
    "Nadam optimizer: Adam with Nesterov momentum (Keras 3's momentum schedule `0.96^t`)."),
    _LR + _B1 + _B2 + _EPS + _WD)
optimizer_ftrl = _make_constructor(Ftrl, "optimizer_ftrl", (
    "FTRL-proximal optimizer (\"Follow The Regularized Leader\"), as Keras 3 `Ftrl`."),
    _LR + "    learning_rate_power : float\n        <= 0: how the learning rate decreases during training.\n"
    "    initial_accumulator_value : float\n        >= 0: starting value of the accumulators.\n"
    "    l1_regularization_strength : float\n        >= 0: L1 regularization strength.\n"
    "    l2_regularization_strength : float\n        >= 0: L2 regularization strength (stabilization).\n"
    "    l2_shrinkage_regularization_strength : float\n        >= 0: magnitude penalty (shrinkage) strength.\n"
    "    beta : float\n        >= 0: the beta value of the FTRL paper.\n" + _WD)
optimizer_lion = _make_constructor(Lion, "optimizer_lion", (
    "Lion optimizer: updates by the sign of an interpolated momentum.\n\n"
    "    `w = w - learning_rate * sign(beta_1 * m + (1 - beta_1) * g)`; `m = beta_2 * m + (1 - beta_2) * g`."),
    _LR + "    beta_1 : float\n        In (0, 1]: interpolation rate of the update's sign.\n"
    "    beta_2 : float\n        In [0, 1]: decay rate of the momentum.\n" + _WD)
optimizer_lamb = _make_constructor(Lamb, "optimizer_lamb", (
    "LAMB optimizer: Adam's step scaled by the trust ratio `||w|| / ||step||` of each variable."),
    _LR + _B1 + _B2 + _EPS + _WD)


@shared_doc
def optimizer_adam_w(
    learning_rate: LearningRate = 0.001,
    weight_decay: float = 0.004,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    amsgrad: bool = False,
    clipnorm: float | None = None,
    clipvalue: float | None = None,
    global_clipnorm: float | None = None,
    name: str = "adamw",
) -> AdamW:
    """AdamW optimizer (R keras3's name; the same as `optimizer_adamw()`).

    Each step first decays the weights, `w = w - w * weight_decay * learning_rate`, then takes the
    Adam step (see `optimizer_adam()`).

    Parameters
    ----------
    learning_rate : float or callable
        Step size, > 0 (default 0.001), or a schedule (`learning_rate_schedule_*()`).
    weight_decay : float
        >= 0: the decoupled weight decay rate (default 0.004).
    beta_1 : float
        In [0, 1): exponential decay rate of the first-moment estimates.
    beta_2 : float
        In [0, 1): exponential decay rate of the second-moment estimates.
    epsilon : float
        >= 0: small constant for numerical stability.
    amsgrad : bool
        Whether to apply the AMSGrad variant.
    {{optimizer_common}}

    Returns
    -------
    AdamW
        An optimizer for `compile(optimizer = ...)`.
    """
    return AdamW(learning_rate, weight_decay, beta_1, beta_2, epsilon, amsgrad, clipnorm, clipvalue,
                 global_clipnorm, name)


for _cls, _fn in (
    (SGD, optimizer_sgd),
    (Adam, optimizer_adam),
    (AdamW, optimizer_adamw),
    (RMSprop, optimizer_rmsprop),
    (Adagrad, optimizer_adagrad),
    (Adadelta, optimizer_adadelta),
    (Adamax, optimizer_adamax),
    (Nadam, optimizer_nadam),
    (Ftrl, optimizer_ftrl),
    (Lion, optimizer_lion),
    (Lamb, optimizer_lamb),
):
    inherit_parameters(_cls, _fn)

_BY_NAME = {
    "sgd": optimizer_sgd,
    "adam": optimizer_adam,
    "adamw": optimizer_adamw,
    "rmsprop": optimizer_rmsprop,
    "adagrad": optimizer_adagrad,
    "adadelta": optimizer_adadelta,
    "adamax": optimizer_adamax,
    "nadam": optimizer_nadam,
    "ftrl": optimizer_ftrl,
    "lion": optimizer_lion,
    "lamb": optimizer_lamb,
}


def get(identifier: str | Optimizer | Callable[..., Optimizer]) -> Optimizer:
    """Resolve the `optimizer` argument of `compile()`.

    Parameters
    ----------
    identifier : str, Optimizer or optimizer constructor
        `"sgd"`, `"adam"`, `"adamw"` or `"rmsprop"` (any case) give a new optimizer with the Keras
        defaults; an `Optimizer` is returned as is; an `optimizer_*` function is called with its
        defaults.

    Returns
    -------
    Optimizer
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    if any(identifier is f for f in _BY_NAME.values()):
        return identifier()
    raise ValueError(
        f"Unknown `optimizer`: {identifier!r}. Accepted: {_ACCEPTED_NAMES} or an Optimizer object."
    )
