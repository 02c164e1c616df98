import os
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# compiled schema validators go to a folder of this test run, not the user's own (nap_rules.load.code_cache)
os.environ.setdefault("NAP_RULES_CODE_CACHE", tempfile.mkdtemp(prefix="nap-rules-code-"))
