"""The training plugin's fixtures (defined in training_testkit, beside its helpers)."""

from training_testkit import app_config, app_plugins, customer, desk, training_ticket

__all__ = ["app_config", "app_plugins", "customer", "desk", "training_ticket"]
