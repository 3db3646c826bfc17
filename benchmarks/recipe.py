"""The baseline every benchmark reports beside this project: the plain LangChain recipe.

RecursiveCharacterTextSplitter(1000, 200), the same MiniLM through sentence-transformers, Chroma, top-4.
"""

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import assistant  # noqa: F401  (sets the offline flags before LangChain and Chroma load)

K = 4


def MiniLM() -> Any:
    from assistant.embeddings import TorchEmbedder, resolve_model_dir

    return TorchEmbedder(resolve_model_dir(None))


def build(paths: list[Path], persist_dir: str | None = None) -> Any:
    """Split, embed and index the files; returns a top-4 retriever."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name}) for p in paths]
    chunks = splitter.split_documents(docs)
    persist_dir = persist_dir or tempfile.mkdtemp(prefix="recipe-")
    client = chromadb.PersistentClient(path=persist_dir, settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(collection_name="recipe", embedding_function=MiniLM(), client=client)
    ids = [f"c{i}" for i in range(len(chunks))]
    batch = client.get_max_batch_size()
    for i in range(0, len(chunks), batch):
        store.add_documents(chunks[i : i + batch], ids=ids[i : i + batch])
    return store.as_retriever(search_kwargs={"k": K})


def open_persisted(persist_dir: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    client = chromadb.PersistentClient(path=persist_dir, settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(collection_name="recipe", embedding_function=MiniLM(), client=client)
    return store.as_retriever(search_kwargs={"k": K})


if __name__ == "__main__":  # cold-start probe used by speed.py: open an existing recipe index, ask once
    retriever = open_persisted(os.environ["RECIPE_DIR"])
    print(retriever.invoke(sys.argv[1])[0].page_content[:80])
