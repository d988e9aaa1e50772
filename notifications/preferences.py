"""Which channels a user wants per event: defaults, overridden by what they chose.

Defaults: every event in the inbox; e-mail for assignments, hand-overs, decisions, deadlines and
mentions (report jobs are followed on the page that asked for them, so no e-mail by default).
"""

from .events import CHANNELS, EMAIL, EVENTS, INBOX


def defaults() -> dict[str, dict[str, bool]]:
    return {key: {INBOX: True, EMAIL: spec.email_by_default} for key, spec in EVENTS.items()}


def resolve(stored: dict | None) -> dict[str, dict[str, bool]]:
    """The channels per event: the defaults with the stored choices on top (unknown events or
    channels in the stored value are ignored)."""
    result = defaults()
    for key, channels in (stored or {}).items():
        if key in result and isinstance(channels, dict):
            for channel in CHANNELS:
                if isinstance(channels.get(channel), bool):
                    result[key][channel] = channels[channel]
    return result


def differences(chosen: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    """What to store for `chosen`: only the choices that differ from the defaults."""
    base = defaults()
    stored: dict[str, dict[str, bool]] = {}
    for key, channels in chosen.items():
        for channel in CHANNELS:
            if key in base and channels.get(channel, base[key][channel]) != base[key][channel]:
                stored.setdefault(key, {})[channel] = channels[channel]
    return stored
