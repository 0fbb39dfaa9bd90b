"""The bridge's HTTP + WebSocket API (aiohttp), its auth and its discovery."""
