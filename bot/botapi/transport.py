"""The HTTP client python-telegram-bot talks to the Bot API with: aiohttp instead of httpx.

Why: every answer is one Bot API call, and at election-day rates that call is the largest
cost the bot has. Measured on the 2-core bench machine (a 400-character HTML sendMessage to a
fake on loopback, CPU per call): PTB's default httpx client 1.2 ms alone and 2.1-3.5 ms with
8-64 calls in flight (httpcore's pool rescans every connection for every request), aiohttp
0.2-0.4 ms. The rest of PTB (serialising the call, parsing the reply) is unchanged: only
`do_request` differs, and it keeps PTB's error contract (TimedOut, NetworkError).
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

#: No answer is read past this: Telegram serves files of up to 20 MB to bots, and its JSON
#: answers are far smaller. A longer body is a NetworkError, not memory spent.
MAX_RESPONSE_BYTES = 21 * 1024 * 1024

#: A timeout as PTB passes it: seconds, None (no limit), or "the default" (DefaultValue).
Timeout = float | DefaultValue[float] | DefaultValue[None] | None


class AiohttpRequest(BaseRequest):
    """A BaseRequest over one aiohttp session with a bounded keep-alive connection pool.

    Timeouts default to PTB's (5 s read/write/connect, 1 s waiting for a free connection);
    PTB adds the long-poll time to getUpdates' read timeout itself.
    """

    __slots__ = ("_connect", "_limit", "_media_write", "_pool", "_read", "_session", "_write")

    def __init__(
        self,
        connection_pool_size: int = 64,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._limit = connection_pool_size
        self._read, self._write, self._connect = read_timeout, write_timeout, connect_timeout
        self._pool, self._media_write = pool_timeout, media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                headers={"User-Agent": self.USER_AGENT},
                # the Bot API answers JSON; PTB parses it, so skip aiohttp's cookie handling
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        data: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, part in files.items():
                if isinstance(part, tuple):
                    filename, content, mimetype = (*part, None)[:3]
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                else:
                    form.add_field(name, part)
            data = form
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` includes waiting for a free pooled connection
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,  # aiohttp has no separate write timeout
        )
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as res:
                if (res.content_length or 0) > MAX_RESPONSE_BYTES:
                    raise NetworkError(f"answer too large: {res.content_length} bytes")
                body = bytearray()
                async for chunk in res.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise NetworkError("answer too large")
                return res.status, bytes(body)
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
