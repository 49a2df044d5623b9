"""The document store: a URL that cannot be used, a limit that is no number, a file over the limit.

All are refused before anything connects or is written (exit 2): the
commands that talk to a cluster get ``--host 127.0.0.1:1``, where nothing
listens, so a store setting that slipped through would end in "connection
refused" instead. A store that cannot be reached once the run is found is
exit 1, with the run left waiting (packages/ntro-runtime-temporal/tests/test_ops.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ntro_bad_input import INGEST, needs_temporal_commands, refused

NO_HOST = ["--host", "127.0.0.1:1"]

BAD_URLS = [
    pytest.param("nosuchproto://x/y", "cannot be used: Protocol not known: nosuchproto", id="unknown-protocol"),
    pytest.param("", "the document store URL is empty", id="empty"),
    pytest.param("s3://", "names no bucket: give s3://BUCKET[/PREFIX]", id="no-bucket"),
    pytest.param(
        "gs://bucket/docs", 'needs a package that is not installed: pip install "ntro-core[gcs]"', id="no-gcsfs"
    ),
]


@pytest.fixture
def upload(tmp_path: Path) -> str:
    path = tmp_path / "tb.csv"
    path.write_text("account_code,account_name,account_type,debit,credit\n1000,Cash,asset,1,0\n")
    return str(path)


@needs_temporal_commands
@pytest.mark.parametrize(("url", "words"), BAD_URLS)
def test_answer_with_a_store_url_that_cannot_be_used(upload: str, url: str, words: str) -> None:
    refused(
        ["workflow", "answer", "wf", "upload", "trial-balance", upload, "--documents", url, *NO_HOST], words, code=2
    )


@needs_temporal_commands
def test_answer_with_ntro_documents_that_cannot_be_used(upload: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NTRO_DOCUMENTS", "nosuchproto://team/docs")
    refused(["workflow", "answer", "wf", "upload", "trial-balance", upload, *NO_HOST], "Protocol not known", code=2)


@needs_temporal_commands
@pytest.mark.parametrize("limit", ["abc", "0", "-1", "nan"])
def test_a_size_limit_that_is_no_number(upload: str, limit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NTRO_DOCUMENTS_MAX_MB", limit)
    refused(
        ["workflow", "answer", "wf", "upload", "trial-balance", upload, *NO_HOST],
        f"NTRO_DOCUMENTS_MAX_MB='{limit}' is not a number of megabytes above 0",
        code=2,
    )


@needs_temporal_commands
def test_a_file_over_the_limit(upload: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NTRO_DOCUMENTS_MAX_MB", "0.00001")
    got = refused(["workflow", "answer", "wf", "upload", "trial-balance", upload, *NO_HOST], code=2)
    assert got.line.startswith("ntro: error: tb.csv (")
    assert got.line.endswith(
        "bytes) is larger than the document store's limit of 10 bytes (NTRO_DOCUMENTS_MAX_MB sets it)"
    )


@needs_temporal_commands
@pytest.mark.parametrize(("url", "words"), BAD_URLS)
def test_a_worker_with_a_store_url_that_cannot_be_used(url: str, words: str) -> None:
    refused(["worker", INGEST, "--documents", url, *NO_HOST], words, code=2)


@pytest.mark.parametrize(("url", "words"), BAD_URLS)
def test_a_run_with_a_store_url_that_cannot_be_used(url: str, words: str) -> None:
    refused(["workflow", "run", INGEST, "--documents", url], words, code=2)
