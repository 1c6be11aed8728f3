"""Names for runs the client did not name, in MLflow's style ("brave-owl-417")."""

from __future__ import annotations

import secrets

_ADJECTIVES = (
    "able", "bold", "brave", "bright", "calm", "clever", "crisp", "eager", "fair", "fast",
    "gentle", "glad", "keen", "kind", "lively", "lucky", "merry", "neat", "proud", "quick",
    "quiet", "sharp", "shy", "smart", "steady", "sunny", "swift", "tidy", "warm", "wise",
)  # fmt: skip
_NOUNS = (
    "ant", "bass", "bear", "cat", "crane", "deer", "dove", "duck", "eel", "finch", "fox",
    "goat", "hare", "hawk", "heron", "horse", "lark", "lynx", "mole", "moth", "newt", "owl",
    "panda", "perch", "robin", "seal", "shrew", "slug", "snail", "swan", "trout", "wolf",
)  # fmt: skip


def run_name() -> str:
    return f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{secrets.randbelow(1000)}"
