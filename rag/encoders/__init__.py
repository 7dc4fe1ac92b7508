"""The bundled MiniLM on onnxruntime: one graph (``graph``) for the embedder (``minilm``)
and the reader's trained cross-encoder (``reader``)."""
