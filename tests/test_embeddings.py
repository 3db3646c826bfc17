"""The ONNX path must embed exactly as sentence-transformers does, from the installed package only."""

from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import OnnxEmbedder, TorchEmbedder, load_embedder, resolve_model_dir
from assistant.errors import ModelMissing

TEXTS = ["Qui a confirmé le déploiement ?", "What did Lavrov claim about the agreement with North Korea?",
         "Les alliés ont également partagé leurs renseignements."]


def test_onnx_embeddings_match_sentence_transformers(cache_dir: Path) -> None:
    onnx = load_embedder(None, cache_dir)
    assert isinstance(onnx, OnnxEmbedder)
    torch_vectors = TorchEmbedder(resolve_model_dir(None)).embed(TEXTS)
    onnx_vectors = onnx.embed(TEXTS)
    assert onnx_vectors.shape == (3, 384)
    cosines = (onnx_vectors * torch_vectors).sum(axis=1)
    assert np.all(cosines > 0.9999)
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-4)


def test_a_folder_that_is_not_a_model_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="ASSISTANT_MODEL_DIR"):
        resolve_model_dir(tmp_path)
