"""The Bot API plumbing under the adapters of bot/telegram/: how updates come in (long polling
through the durable inbox), in what order they are handled (per chat and user, concurrently
otherwise), and how every call goes out (aiohttp, Telegram's rate limits, retries).

python-telegram-bot's extension points (BaseRequest, BaseRateLimiter, BaseUpdateProcessor, the
Updater's queue) filled in; no use case and no reply is decided here, and, as in
bot/telegram/, no storage module is imported (the inbox's decisions are bot/inbox.py).
"""
