"""R-style wrappers of the attention layers."""
