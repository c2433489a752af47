"""Where a fit spends its time: named phases measured while it runs, and their report.

A fit records the wall time of its phases (reading the text, building the
vocabulary, setting up the kernel's tables, compiling, each epoch, the
per-epoch hooks, the end of the fit); the estimator keeps the result as
``fit_profile_`` and prints it with ``verbose >= 2``.  Everything that the
named phases do not cover (validation, the undo log of a transactional fit,
the driver's last steps) is reported as ``other``, so the phases add up to
``total``.

Beside the times, ``memory`` holds the process's resident set in MB at the
start of the fit, at the end of each of its phases, and its peak so far (the
process's, so it covers what came before the fit too); a figure that the
platform cannot give is None.
"""

import time

from skembed.utils._memory import peak_resident_bytes, resident_bytes

__all__ = ["FitProfile", "format_profile"]

# the phases in the order a fit runs them; "epochs" and "kernel" are lists
PHASES = ("read", "vocabulary", "setup", "compile", "epochs", "hooks", "finish")


class FitProfile:
    """Seconds of each phase of one fit, measured from the moment it is created."""

    def __init__(self):
        self._start = time.perf_counter()
        self.seconds = {name: 0.0 for name in PHASES if name != "epochs"}
        self.epochs = []
        self.kernel = []
        self.rss = {"start": _megabytes(resident_bytes())}
        self._mark = self._start

    def lap(self, name=None):
        """Add the time since the last lap to phase ``name`` (None: to ``other``)."""
        now = time.perf_counter()
        if name is not None:
            self.seconds[name] += now - self._mark
            self.rss[name] = _megabytes(resident_bytes())
        self._mark = now

    def lap_training(self, result):
        """Split the time since the last lap (a training call) with the driver's figures.

        ``result`` is the driver's :class:`~skembed._training.TrainingResult`;
        the time of the call outside the driver is the kernel setup (tables,
        chunks, GloVe's co-occurrence counts).
        """
        now = time.perf_counter()
        run_seconds, self._mark = now - self._mark, now
        wall = float(getattr(result, "wall_seconds", 0.0))
        self.seconds["setup"] += max(run_seconds - wall, 0.0)
        self.seconds["compile"] += float(getattr(result, "compile_seconds", 0.0))
        self.seconds["hooks"] += float(getattr(result, "hook_seconds", 0.0))
        self.epochs.extend(float(s) for s in getattr(result, "epoch_seconds", ()))
        self.kernel.extend(float(s) for s in getattr(result, "kernel_seconds", ()))
        self.rss["training"] = _megabytes(resident_bytes())

    def as_dict(self):
        """Return the profile: seconds per phase, per epoch, ``other`` and ``total``."""
        total = time.perf_counter() - self._start
        out = {name: self.seconds[name] for name in PHASES if name != "epochs"}
        out["epochs"] = list(self.epochs)
        out["kernel"] = list(self.kernel)
        named = sum(self.seconds.values()) + sum(self.epochs)
        out["other"] = max(total - named, 0.0)
        out["total"] = total
        out["memory"] = {**self.rss, "peak": _megabytes(peak_resident_bytes())}
        return out


def _megabytes(n_bytes):
    return None if n_bytes is None else n_bytes / 2**20


def format_profile(profile, name="fit"):
    """Return the lines of a printable table of ``profile`` (a ``fit_profile_`` dict)."""
    total = profile["total"]

    def line(label, seconds, note=""):
        share = 100.0 * seconds / total if total > 0 else 0.0
        return f"  {label:<12}{seconds:>10.3f} s {share:>6.1f}%{note}"

    lines = [f"{name} profile ({total:.3f} s):"]
    for phase in ("read", "vocabulary", "setup", "compile"):
        lines.append(line(phase, profile[phase]))
    for i, seconds in enumerate(profile["epochs"]):
        kernel = profile["kernel"][i] if i < len(profile["kernel"]) else float("nan")
        lines.append(line(f"epoch {i + 1}", seconds, f"  (kernel {kernel:.3f} s)"))
    for phase in ("hooks", "finish", "other"):
        lines.append(line(phase, profile[phase]))
    memory = profile.get("memory", {})
    shown = [(label, memory.get(key)) for label, key in _MEMORY_LABELS]
    shown = [f"{label} {mb:,.0f}" for label, mb in shown if mb is not None]
    if shown:
        lines.append("  resident MB: " + ", ".join(shown))
    return "\n".join(lines)


_MEMORY_LABELS = (("start", "start"), ("read", "read"), ("vocabulary", "vocabulary"),
                  ("training", "training"), ("end", "finish"), ("peak", "peak"))  # fmt: skip
