"""The mechanism's constants, loaded from ``spec/params.toml`` (PAR-1)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

PARAMS_FILE = Path(__file__).resolve().parents[1] / "spec" / "params.toml"


@dataclass(frozen=True)
class Params:
    """One parameter set. Fixed-point fields are scaled by ``wad``; see ``spec/params.toml``."""

    wad: int
    """Fixed-point scale: the integer that stands for 1.0."""
    k1: int
    """Eq 3: added to the seller's growth s(z)."""
    k2: int
    """Eq 3: added to the seller's penalty c(n)·f(z)."""
    t1: int
    """Eq 6: added to the buyer's growth (resolved) or penalty (paper-literal)."""
    t2: int
    """Eq 6: added to the buyer's penalty (resolved) or growth (paper-literal)."""
    z0: int
    """Eqs 1-2: the adjustment factor added to every growth and penalty."""
    profit_coefficient: int
    """L of eqs 4-5: the share of a trade's amount that a buyer's default costs the seller."""
    window_s: int
    """n of eq 1: recent trades summed, the current one included."""
    window_f: int
    """m of eq 2: recent trades summed, the current one included."""
    window_p: int
    """k of eq 4: the previous k-1 trades are summed."""
    history_size: int
    """How many recent trade amounts each user keeps."""
    initial_reputation: int
    """Reputation of a newly registered user, as seller and as buyer."""
    min_reputation: int
    """Floor of reputation (0: none)."""
    max_reputation: int
    """Cap of reputation (0: none)."""
    max_fraud_exponent: int
    """c(n) = 2**(min(n, max_fraud_exponent + 1) - 1)."""
    day: int
    """Seconds in a trading day: eq 7 gives a ban in days."""
    max_ban_days: int
    """Cap of eq 7 in days (0: none)."""
    eq6_corrected: bool
    """True: buyer growth q(z) over penalty c(n)·p(z). False: eq 6 as printed."""
    min_price: int
    """Smallest start price of an order, in wei."""
    max_quote: int
    """Largest quote a sealed bid may carry."""
    bidding_period: int
    """Seconds from posting an order to the end of bidding."""
    disclosure_period: int
    """Seconds after bidding in which the seller must disclose the order's private key."""
    payment_period: int
    """Seconds after settlement in which the winner must pay the price."""
    delivery_period: int
    """Seconds after payment in which delivery must be confirmed or disputed."""
    order_quantity_per_reputation: int
    """Wh a seller may offer per 1.0 of seller reputation (ECO-1; 0: no limit)."""
    min_deposit_share: int
    """Smallest deposit as a fixed-point share of the start price (ECO-2; 0: none)."""


class ParamsError(ValueError):
    """``spec/params.toml`` is missing, unreadable or malformed; the message is one line."""


@cache
def load(name: str = "resolved") -> Params:
    """The parameter set ``name`` (``resolved`` or ``paper-literal``) from ``spec/params.toml``.

    Raises :class:`ParamsError` naming the file and the problem.
    """
    try:
        table = tomllib.loads(PARAMS_FILE.read_text())[name]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ParamsError(f"{PARAMS_FILE}: {exc}") from None
    except KeyError:
        raise ParamsError(f"{PARAMS_FILE}: no [{name}] table") from None
    expected = {f.name: f.type for f in fields(Params)}
    if set(table) != set(expected):
        missing, unknown = sorted(set(expected) - set(table)), sorted(set(table) - set(expected))
        raise ParamsError(f"{PARAMS_FILE} [{name}]: missing {missing}, unknown {unknown}")
    wrong = [key for key, value in table.items() if type(value).__name__ != expected[key]]
    if wrong:
        raise ParamsError(f"{PARAMS_FILE} [{name}]: {', '.join(f'{k} must be {expected[k]}' for k in wrong)}")
    return Params(**table)


def __getattr__(name: str) -> Params:
    """``RESOLVED`` and ``PAPER`` load on first use, so that importing this module never fails."""
    sets = {"RESOLVED": "resolved", "PAPER": "paper-literal"}
    if name in sets:
        return load(sets[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
