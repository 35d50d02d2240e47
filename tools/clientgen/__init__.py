"""The client generator behind ``tools/gen_clients.py``: the catalogue read from the OpenRPC
document (``model``), the shared environment table, and one writer per output."""
