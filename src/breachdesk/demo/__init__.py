"""The synthetic retailer and the demo run along the breach path."""
