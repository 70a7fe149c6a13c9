"""Sends predictions to the ingest gateway's HTTP API (POST /v1/predictions:ingest)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Sequence

from google.protobuf import json_format

from labelloop.recorder import EncodedPrediction, PermanentError, RetryableError


class GatewayHttpTransport:
    """
    One POST per batch with a service bearer token. The gateway writes each event id once, so
    resending a batch after a lost answer is safe. 429 (shedding, with Retry-After) and 5xx are
    retried; 400 (a field names the bad event), 401, 403 and 413 are permanent.
    """

    def __init__(self, url: str, token: str, *, timeout_s: float = 10.0) -> None:
        self._url = url.rstrip("/") + "/v1/predictions:ingest"
        self._token = token
        self._timeout_s = timeout_s

    def send(self, batch: Sequence[EncodedPrediction]) -> Sequence[EncodedPrediction]:
        body = json.dumps({"predictions": [json_format.MessageToDict(p.event) for p in batch]}).encode()
        req = urllib.request.Request(
            self._url,
            data=body,
            method="POST",
            headers={"content-type": "application/json", "authorization": f"Bearer {self._token}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=self._timeout_s) as res:
                res.read()
                return []
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")[:500]
            if e.code == 429 or e.code >= 500:
                retry = e.headers.get("retry-after")
                raise RetryableError(f"HTTP {e.code}: {detail}", float(retry) if retry else None) from None
            raise PermanentError(f"HTTP {e.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as e:
            raise RetryableError(f"gateway unreachable: {e}") from None

    def close(self) -> None:
        pass
