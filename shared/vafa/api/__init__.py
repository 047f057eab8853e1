"""The HTTP API: one Powertools resolver with a router per resource and one OpenAPI document."""
