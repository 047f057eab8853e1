"""Channel adapters: SMS gateways, email and web push behind small interfaces."""
