"""Learning-rate schedules: functions of the optimizer's step count, as Keras 3's `LearningRateSchedule`s.

A schedule is passed as an optimizer's `learning_rate`; before each update the optimizer calls it
with the number of updates done so far (0 at the first step), as Keras does.
"""

import math
from numbers import Real

import numpy as np

__all__ = [
    "learning_rate_schedule_cosine_decay", "learning_rate_schedule_cosine_decay_restarts",
    "learning_rate_schedule_exponential_decay", "learning_rate_schedule_inverse_time_decay",
    "learning_rate_schedule_piecewise_constant_decay", "learning_rate_schedule_polynomial_decay",
]


def _number(value, arg, low=None, low_open=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.number)) or math.isnan(value):
        raise TypeError(f"`{arg}` must be a number; received {value!r}.")
    value = float(value)
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"`{arg}` must be {'>' if low_open else '>='} {low:g}; received {value!r}.")
    return value


class LearningRateSchedule:
    """Base class: `schedule(step)` is the learning rate of the update after `step` updates."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self) -> dict:
        """The constructor arguments."""
        return dict(self._config)

    @classmethod
    def from_config(cls, config):
        """A new schedule from `get_config()`.

        Parameters
        ----------
        config : dict
            The constructor arguments.
        """
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} {self._config}>"


class ExponentialDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _number(decay_steps, "decay_steps", low=0, low_open=True)
        self.decay_rate = _number(decay_rate, "decay_rate")
        self.staircase, self.name = bool(staircase), name
        self._config = {"initial_learning_rate": initial_learning_rate, "decay_steps": decay_steps,
                        "decay_rate": decay_rate, "staircase": staircase, "name": name}

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p


class InverseTimeDecay(ExponentialDecay):
    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)


class PiecewiseConstantDecay(LearningRateSchedule):
    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"`values` must have one more element than `boundaries`; received "
                             f"{len(values)} values and {len(boundaries)} boundaries.")
        self.boundaries = [_number(b, "boundaries") for b in boundaries]
        self.values = [_number(v, "values") for v in values]
        if any(a > b for a, b in zip(self.boundaries, self.boundaries[1:])):
            raise ValueError(f"`boundaries` must be increasing; received {boundaries!r}.")
        self.name = name
        self._config = {"boundaries": boundaries, "values": values, "name": name}

    def __call__(self, step):
        for b, v in zip(self.boundaries, self.values):
            if step <= b:  # Keras: values[i] for boundaries[i-1] < step <= boundaries[i]
                return v
        return self.values[-1]


class PolynomialDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _number(decay_steps, "decay_steps", low=0, low_open=True)
        self.end_learning_rate = _number(end_learning_rate, "end_learning_rate")
        self.power, self.cycle, self.name = _number(power, "power"), bool(cycle), name
        self._config = {"initial_learning_rate": initial_learning_rate, "decay_steps": decay_steps,
                        "end_learning_rate": end_learning_rate, "power": power, "cycle": cycle, "name": name}

    def __call__(self, step):
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / self.decay_steps)
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * (1 - p) ** self.power + self.end_learning_rate


class CosineDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _number(decay_steps, "decay_steps", low=0, low_open=True)
        self.alpha = _number(alpha, "alpha")
        self.warmup_target = None if warmup_target is None else _number(warmup_target, "warmup_target")
        self.warmup_steps = _number(warmup_steps, "warmup_steps", low=0)
        self.name = name
        self._config = {"initial_learning_rate": initial_learning_rate, "decay_steps": decay_steps,
                        "alpha": alpha, "name": name, "warmup_target": warmup_target,
                        "warmup_steps": warmup_steps}

    def _decay(self, step, decay_from):
        cosine = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return decay_from * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (self.warmup_target - self.initial_learning_rate) * fraction + self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)


class CosineDecayRestarts(LearningRateSchedule):
    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.first_decay_steps = _number(first_decay_steps, "first_decay_steps", low=0, low_open=True)
        self.t_mul, self.m_mul = _number(t_mul, "t_mul", low=0, low_open=True), _number(m_mul, "m_mul")
        self.alpha, self.name = _number(alpha, "alpha"), name
        self._config = {"initial_learning_rate": initial_learning_rate, "first_decay_steps": first_decay_steps,
                        "t_mul": t_mul, "m_mul": m_mul, "alpha": alpha, "name": name}

    def __call__(self, step):
        fraction = step / self.first_decay_steps
        if self.t_mul == 1.0:
            i_restart = math.floor(fraction)
            fraction -= i_restart
        else:
            i_restart = math.floor(math.log(1.0 - fraction * (1.0 - self.t_mul)) / math.log(self.t_mul))
            sum_r = (1.0 - self.t_mul ** i_restart) / (1.0 - self.t_mul)
            fraction = (fraction - sum_r) / self.t_mul ** i_restart
        cosine = 0.5 * self.m_mul ** i_restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)


def learning_rate_schedule_exponential_decay(initial_learning_rate, decay_steps, decay_rate, staircase=False,
                                             name="ExponentialDecay"):
    """A learning rate decaying exponentially: `initial_learning_rate * decay_rate ^ (step / decay_steps)`.

    `step` is the number of updates done (0 at the first update), as Keras.

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate at step 0.
    decay_steps : int
        > 0: the steps over which the rate is multiplied by `decay_rate`.
    decay_rate : float
        The decay rate.
    staircase : bool
        If `TRUE`, `step / decay_steps` is rounded down (the rate changes every `decay_steps`).
    name : str
        Name of the schedule.

    Returns
    -------
    ExponentialDecay
        A schedule for an optimizer's `learning_rate`.
    """
    return ExponentialDecay(initial_learning_rate, decay_steps, decay_rate, staircase, name)


def learning_rate_schedule_inverse_time_decay(initial_learning_rate, decay_steps, decay_rate, staircase=False,
                                              name="InverseTimeDecay"):
    """A learning rate `initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate at step 0.
    decay_steps : int
        > 0: how often to apply the decay.
    decay_rate : float
        The decay rate.
    staircase : bool
        If `TRUE`, `step / decay_steps` is rounded down.
    name : str
        Name of the schedule.

    Returns
    -------
    InverseTimeDecay
        A schedule for an optimizer's `learning_rate`.
    """
    return InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase, name)


def learning_rate_schedule_piecewise_constant_decay(boundaries, values, name="PiecewiseConstant"):
    """A piecewise constant learning rate: `values[i]` while `boundaries[i-1] < step <= boundaries[i]`.

    Parameters
    ----------
    boundaries : list of numbers
        Increasing step boundaries.
    values : list of numbers
        One more value than boundaries: the learning rate of each interval.
    name : str
        Name of the schedule.

    Returns
    -------
    PiecewiseConstantDecay
        A schedule for an optimizer's `learning_rate`.
    """
    return PiecewiseConstantDecay(boundaries, values, name)


def learning_rate_schedule_polynomial_decay(initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                                            power=1.0, cycle=False, name="PolynomialDecay"):
    """A learning rate decaying polynomially from `initial_learning_rate` to `end_learning_rate`.

    `(initial - end) * (1 - step / decay_steps) ^ power + end`, with `step` capped at `decay_steps`
    (or, with `cycle`, `decay_steps` multiplied by `ceiling(step / decay_steps)`).

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate at step 0.
    decay_steps : int
        > 0: the steps over which the rate decays.
    end_learning_rate : float
        The final learning rate.
    power : float
        The power of the polynomial.
    cycle : bool
        Whether to restart the decay after `decay_steps`.
    name : str
        Name of the schedule.

    Returns
    -------
    PolynomialDecay
        A schedule for an optimizer's `learning_rate`.
    """
    return PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate, power, cycle, name)


def learning_rate_schedule_cosine_decay(initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                                        warmup_target=None, warmup_steps=0):
    """A cosine decay of the learning rate (SGDR without restarts), with an optional linear warmup.

    Without warmup: `initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) +
    alpha)`. With `warmup_target`, the rate first rises linearly from `initial_learning_rate` to
    `warmup_target` over `warmup_steps`, then decays from `warmup_target`.

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate at step 0.
    decay_steps : int
        > 0: the steps over which the rate decays.
    alpha : float
        The minimum learning rate, as a fraction of the rate decayed from.
    name : str
        Name of the schedule.
    warmup_target : float, optional
        The learning rate reached at the end of the warmup (None: no warmup).
    warmup_steps : int
        Steps of the linear warmup.

    Returns
    -------
    CosineDecay
        A schedule for an optimizer's `learning_rate`.
    """
    return CosineDecay(initial_learning_rate, decay_steps, alpha, name, warmup_target, warmup_steps)


def learning_rate_schedule_cosine_decay_restarts(initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                                                 alpha=0.0, name="SGDRDecay"):
    """A cosine decay with warm restarts (SGDR, Loshchilov and Hutter 2017).

    Each period is `t_mul` times longer than the previous one, and starts from `m_mul` times the
    previous starting rate.

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate at step 0.
    first_decay_steps : int
        > 0: length of the first period.
    t_mul : float
        Factor of the length of each period.
    m_mul : float
        Factor of the starting rate of each period.
    alpha : float
        The minimum learning rate, as a fraction of `initial_learning_rate`.
    name : str
        Name of the schedule.

    Returns
    -------
    CosineDecayRestarts
        A schedule for an optimizer's `learning_rate`.
    """
    return CosineDecayRestarts(initial_learning_rate, first_decay_steps, t_mul, m_mul, alpha, name)
