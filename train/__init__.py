"""Training the reader's model (dev time only; the product never imports this package)."""
