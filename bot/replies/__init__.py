"""What the bot says, without Telegram: the string catalogue (one module per language), the
card composer that owns the message budget, short cards for groups and inline mode, the
buttons and the callback-data codec. A reply is a value (reply.Reply); bot/telegram/ only
sends it (bot/telegram/keyboards.py turns its keyboard into Telegram's)."""
