"""The offline sandbox: the real bot inside SimCord, a simulated Discord, with a demo group.

`python -m bot` without a token serves SimCord's browser Preview of the demo group's channel
(`run.run_sandbox`); `python -m bot --demo` plays a scripted walk-through and prints what each
person did and what the bot showed them (`transcript`). `world` builds the demo server by acting
as its people through the real bot, never by writing to the database.
"""
