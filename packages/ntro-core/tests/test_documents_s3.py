"""ntro.documents on a real S3-compatible server (moto's server mode, through s3fs), as a team's bucket.

The ``s3_endpoint`` fixture (the repository's conftest.py) starts the server;
moto and s3fs are test dependencies of every leg, so these tests run in CI.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ntro import documents
from ntro.documents import (
    DocumentError,
    DocumentNotFoundError,
    DocumentStore,
    DocumentStoreUnavailableError,
    DocumentTooLargeError,
)

CSV = b"account_code,account_name,account_type,debit,credit\n1000,Cash,asset,100.00,0\n"
SHA = hashlib.sha256(CSV).hexdigest()
CREDENTIALS = {"key": "testing", "secret": "testing"}


@pytest.fixture(autouse=True)
def _no_default_store() -> Iterator[None]:
    documents.set_default_store(None)
    yield
    documents.set_default_store(None)


@pytest.fixture
def s3fs_client(s3_endpoint: str) -> Any:
    """s3fs itself, to look at the bucket behind the store's back."""
    import s3fs

    return s3fs.S3FileSystem(endpoint_url=s3_endpoint, skip_instance_cache=True, **CREDENTIALS)


@pytest.fixture
def bucket(s3fs_client: Any) -> str:
    name = f"ntro-docs-{uuid.uuid4().hex[:12]}"
    s3fs_client.mkdir(name)
    return name


def s3_store(endpoint: str, url: str, **options: Any) -> DocumentStore:
    return DocumentStore(url, endpoint_url=endpoint, **CREDENTIALS, **options)


def objects(s3fs_client: Any, bucket: str) -> list[str]:
    s3fs_client.invalidate_cache()
    return sorted(s3fs_client.find(bucket))


def test_put_read_stat_on_a_bucket(s3_endpoint: str, bucket: str, s3fs_client: Any) -> None:
    store = s3_store(s3_endpoint, f"s3://{bucket}/documents/")
    assert store.url == f"s3://{bucket}/documents"
    ref = store.put(CSV, "trial-balance.csv")
    assert ref == f"sha256:{SHA}"
    assert store.read(ref) == CSV
    with store.open(ref) as file:
        assert file.read() == CSV
    info = store.stat(ref)
    assert (info.filename, info.content_type, info.size) == ("trial-balance.csv", "text/csv", len(CSV))
    assert store.exists(ref)
    blob = f"{bucket}/documents/sha256/{SHA[:2]}/{SHA}"
    assert objects(s3fs_client, bucket) == [blob, f"{blob}.json"]
    assert s3fs_client.cat_file(blob) == CSV
    assert json.loads(s3fs_client.cat_file(f"{blob}.json"))["filename"] == "trial-balance.csv"


def test_the_same_file_twice_is_one_object(s3_endpoint: str, bucket: str, s3fs_client: Any) -> None:
    store = s3_store(s3_endpoint, f"s3://{bucket}")
    first = store.put(CSV, "tb.csv")
    assert store.put(io.BytesIO(CSV), "tb-again.csv") == first
    assert len(objects(s3fs_client, bucket)) == 2
    assert store.stat(first).filename == "tb.csv"


def test_a_missing_ref_too_large_a_file_and_a_broken_source_leave_the_bucket_as_it_was(
    s3_endpoint: str, bucket: str, s3fs_client: Any
) -> None:
    store = s3_store(s3_endpoint, f"s3://{bucket}/docs", max_size=16)
    with pytest.raises(
        DocumentNotFoundError, match=rf"^no document sha256:0{{64}} in the document store s3://{bucket}/docs"
    ):
        store.read("sha256:" + "0" * 64)
    assert not store.exists("sha256:" + "0" * 64)
    with pytest.raises(DocumentTooLargeError, match=r"^tb\.csv \(\d+ bytes\) is larger than .* limit of 16 bytes"):
        store.put(CSV, "tb.csv")

    class Dropped(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise ConnectionResetError(104, "Connection reset by peer")

    with pytest.raises(DocumentError, match=r"cannot read upload\.csv: Connection reset by peer"):
        store.put(Dropped(), "upload.csv")  # type: ignore[arg-type]
    assert objects(s3fs_client, bucket) == []


def test_a_bucket_that_does_not_exist_is_one_line(s3_endpoint: str) -> None:
    store = s3_store(s3_endpoint, "s3://ntro-no-such-bucket/docs")
    with pytest.raises(DocumentStoreUnavailableError) as info:
        store.put(CSV)
    assert str(info.value) == (
        "the document store s3://ntro-no-such-bucket/docs cannot be written: The specified bucket does not exist"
    )
    with pytest.raises(DocumentNotFoundError, match=r"no document .* in the document store s3://ntro-no-such-bucket"):
        store.read(f"sha256:{SHA}")


def test_a_server_that_cannot_be_reached_is_one_line() -> None:
    store = DocumentStore(
        "s3://bucket/docs",
        endpoint_url="http://127.0.0.1:9",  # the discard port: nothing listens
        config_kwargs={"retries": {"max_attempts": 1}},
        **CREDENTIALS,
    )
    for call in (lambda: store.put(CSV), lambda: store.read(f"sha256:{SHA}")):
        with pytest.raises(DocumentStoreUnavailableError) as info:
            call()
        message = str(info.value)
        assert message.startswith("the document store s3://bucket/docs cannot be ")
        assert 'Could not connect to the endpoint URL: "http://127.0.0.1:9/' in message
        assert "\n" not in message


def test_two_processes_share_one_bucket_through_the_environment(
    s3_endpoint: str, bucket: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a worker and the answering side do: each names the bucket in NTRO_DOCUMENTS, the endpoint in AWS_*."""
    env = {
        **os.environ,
        "NTRO_DOCUMENTS": f"s3://{bucket}/shared",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    upload = tmp_path / "statement.csv"
    upload.write_bytes(CSV)
    put = subprocess.run(
        [sys.executable, "-c", f"from ntro import documents; print(documents.put({str(upload)!r}))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    ref = put.stdout.strip()
    assert ref == f"sha256:{SHA}"
    # This process, configured the same way, reads what the other one put.
    for name, value in env.items():
        if name.startswith(("AWS_", "NTRO_DOCUMENTS")):
            monkeypatch.setenv(name, value)
    assert documents.read(ref) == CSV
    assert documents.stat(ref).filename == "statement.csv"
    # And the other way round.
    mine = documents.put(b"from the answering side", "note.txt")
    read = subprocess.run(
        [sys.executable, "-c", f"from ntro import documents; print(documents.read({mine!r}).decode())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == "from the answering side"
