"""Official sources over HTTP: safe fetching, page and feed parsing, ClaimReview mapping.

Plain Python (no Telegram): the bot's handlers and the CLI call into it.
"""
