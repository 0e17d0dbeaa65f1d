"""Checks that `make lint` runs on the code's structure (not part of the product)."""
