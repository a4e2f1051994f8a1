"""The domain core: plain, typed Python with no Discord, scheduler, database or asyncio imports."""
