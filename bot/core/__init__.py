"""The domain core: plain, typed Python with no Discord imports, driven directly by unit tests."""
