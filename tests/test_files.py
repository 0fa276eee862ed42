"""Weight-file and license-file recognition."""

from __future__ import annotations

import pytest

from openscore.files import is_license_file, is_use_policy_file, weight_format


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("model.safetensors", "safetensors"),
        ("model-00001-of-00003.safetensors", "safetensors"),
        ("model.safetensors.index.json", "safetensors"),
        ("pytorch_model-00001-of-00002.bin", "pytorch-bin"),
        ("pytorch_model.bin.index.json", "pytorch-bin"),
        ("unet/diffusion_pytorch_model.safetensors", "safetensors"),
        ("model.Q4_K_M.gguf", "gguf"),
        ("onnx/encoder_model.onnx", "onnx"),
        ("tf_model.h5", "keras-h5"),
        ("flax_model.msgpack", "flax"),
        ("v1-5-pruned.ckpt", "checkpoint"),
        ("weights.npz", "numpy"),
        ("adapter_model.safetensors", "safetensors"),
        ("saved_model/variables/variables.data-00000-of-00001", "tf-savedmodel"),
        ("ckpt-0/tensor00000_000", "jax-tensors"),
    ],
)
def test_weight_files(path: str, fmt: str) -> None:
    assert weight_format(path) == fmt


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        "config.json",
        "tokenizer.json",
        "training_args.bin",
        "optimizer.pt",
        "rng_state_3.pth",
        "LICENSE",
    ],
)
def test_not_weight_files(path: str) -> None:
    assert weight_format(path) is None


def test_license_files() -> None:
    assert is_license_file("LICENSE") and is_license_file("license.md") and is_license_file("USE_POLICY.md")
    assert not is_license_file("docs/LICENSE") and not is_license_file("README.md")
    assert is_use_policy_file("USE_POLICY.md") and not is_use_policy_file("LICENSE")
