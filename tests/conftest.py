"""The test profiles.

`python -m pytest` runs the quick suite: tests marked `slow` are left out and the properties try
few examples. `HYPOTHESIS_PROFILE=thorough python -m pytest` runs every test, the slow ones
included, with many more examples (README, Tests). `-m slow` runs only the slow ones; naming
tests (`path::name`) or choosing with `-m`/`-k` runs what is named, slow or not.
"""

import os
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)


def pytest_collection_modifyitems(config, items):
    chosen = config.option.markexpr or config.option.keyword or any("::" in a for a in config.args)
    if PROFILE == "thorough" or chosen:
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


# compiled schema validators go to a folder of this test run, not the user's own (nap_rules.load.code_cache)
os.environ.setdefault("NAP_RULES_CODE_CACHE", tempfile.mkdtemp(prefix="nap-rules-code-"))
