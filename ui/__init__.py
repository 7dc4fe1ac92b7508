"""The Gradio chat page over ``rag``'s Python API."""
