"""Regularization layers (spatial dropout, Gaussian noise and dropout, alpha dropout, activity regularization)."""
