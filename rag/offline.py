"""Force every library we use into offline mode before it is imported.

There is no internet where this product runs: a model, tokenizer or telemetry
request must fail fast instead of hanging, so the switches are set as early as
``import rag``. Users may still override them in their environment.
"""

import os

_OFFLINE_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def force_offline() -> None:
    """Set the offline switches unless the user already chose a value."""
    for name, value in _OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
