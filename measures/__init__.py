"""The domain: measure catalogue, computation, targets, SPC and disclosure control."""
