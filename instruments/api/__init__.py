"""The instruments part of the REST API: instruments and events."""
