"""The service layer: every change to tickets and accounts goes through here."""
