"""Write the shipped reader weights from a training checkpoint.

    python -m train.export [--checkpoint train/work/last.pt] [--out rag/encoders/reader.safetensors]

Only the trained layers and the heads are written, as float16 (the product
casts them back to float32 over the bundled model's other weights). Prints the
file's size and sha256, which the model card and ``tests/test_reader_model.py``
name.
"""

import argparse
import hashlib
from pathlib import Path

import torch
from safetensors.torch import save_file

from rag.embedding import bundled_model_path
from rag.encoders.reader import WEIGHTS
from train.model import load_bundled, shipped_weights


def export(checkpoint: Path, out: Path) -> str:
    model = load_bundled(bundled_model_path(), seed=0)
    model.load_state_dict(torch.load(checkpoint, weights_only=False)["model"])
    weights = {k: v.to(torch.float16).contiguous() for k, v in shipped_weights(model).items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(out), metadata={"checkpoint": checkpoint.name})
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=Path("train/work/last.pt"))
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    digest = export(args.checkpoint, args.out)
    print(f"{args.out}: {args.out.stat().st_size:,} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
