"""ntro.documents on a local directory and in memory: refs, dedup, metadata, atomic writes, limits, errors."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
import pytest
from fsspec.implementations.local import LocalFileSystem

from ntro import documents
from ntro.client import Gate, document_answer
from ntro.documents import (
    DocumentError,
    DocumentNotFoundError,
    DocumentStore,
    DocumentStoreConfigError,
    DocumentStoreUnavailableError,
    DocumentTooLargeError,
)
from ntro.workflow.exceptions import NtroError

CSV = b"date,description,amount\n2026-10-05,Coupon,250.00\n"
SHA = hashlib.sha256(CSV).hexdigest()


@pytest.fixture(autouse=True)
def _own_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reaches the user's data directory, or another test's default store."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(documents.DOCUMENTS_ENV, raising=False)
    monkeypatch.delenv(documents.MAX_SIZE_ENV, raising=False)
    documents.set_default_store(None)
    yield
    documents.set_default_store(None)


_memory_stores = iter(range(1_000_000))


@pytest.fixture(params=["directory", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    if request.param == "directory":
        return DocumentStore(str(tmp_path / "documents"))
    return DocumentStore(f"memory://ntro-test-{next(_memory_stores)}")


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# -- refs, content addressing, metadata ----------------------------------------------------------------


def test_put_returns_the_sha256_ref_and_reads_give_the_bytes_back(store: DocumentStore) -> None:
    ref = store.put(CSV, "statement.csv")
    assert ref == f"sha256:{SHA}"
    assert store.read(ref) == CSV
    with store.open(ref) as file:
        assert file.read() == CSV
    assert store.exists(ref)
    info = store.stat(ref)
    assert (info.ref, info.filename, info.content_type, info.size) == (ref, "statement.csv", "text/csv", len(CSV))
    assert info.stored_at is not None and info.stored_at.tzinfo is not None


def test_the_same_bytes_are_stored_once_and_keep_their_first_name(store: DocumentStore, tmp_path: Path) -> None:
    first = store.put(CSV, "october.csv")
    again = store.put(io.BytesIO(CSV), "copy.txt", "text/plain")
    assert first == again
    info = store.stat(first)
    assert (info.filename, info.content_type) == ("october.csv", "text/csv")
    other = store.put(CSV + b"2026-10-06,Fee,-10.00\n", "november.csv")
    assert other != first
    if store.url.startswith("file://"):
        root = tmp_path / "documents"
        assert files_under(root) == sorted(
            f"sha256/{d[:2]}/{d}{suffix}" for d in (SHA, other.removeprefix("sha256:")) for suffix in ("", ".json")
        )


def test_the_metadata_sits_beside_the_bytes(tmp_path: Path) -> None:
    store = DocumentStore(f"file://{tmp_path}/docs")
    ref = store.put(CSV, "dir/inside/statement.csv")
    blob = tmp_path / "docs" / "sha256" / SHA[:2] / SHA
    assert blob.read_bytes() == CSV
    meta = json.loads(blob.with_name(SHA + ".json").read_text())
    assert meta["ref"] == ref
    assert meta["filename"] == "statement.csv"  # only the name: never a path of the uploader's machine
    assert (meta["content_type"], meta["size"]) == ("text/csv", len(CSV))
    assert store.url == f"file://{tmp_path}/docs"


def test_put_takes_a_path_a_file_object_or_bytes(store: DocumentStore, tmp_path: Path) -> None:
    path = tmp_path / "notice.json"
    path.write_bytes(b'{"fund": "Demo"}')
    by_path = store.put(path)
    assert store.stat(by_path).filename == "notice.json"
    assert store.stat(by_path).content_type == "application/json"
    assert store.put(str(path)) == by_path
    with path.open("rb") as file:
        assert store.put(file) == by_path
    unnamed = store.put(b"\x00\x01binary")
    info = store.stat(unnamed)
    assert (info.filename, info.content_type) == (None, "application/octet-stream")
    assert store.stat(store.put(b"x", "scan.pdf", "application/x-custom")).content_type == "application/x-custom"


def test_a_text_file_object_or_an_unreadable_path_is_one_line(store: DocumentStore, tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"open it in binary mode"):
        store.put(io.StringIO("text"), "a.csv")  # type: ignore[arg-type]
    with pytest.raises(DocumentError, match=r"cannot read .*missing\.csv: No such file or directory"):
        store.put(tmp_path / "missing.csv")


# -- bad refs ---------------------------------------------------------------------------------------------


def test_a_ref_the_store_lacks_is_not_found_and_says_which_store(store: DocumentStore) -> None:
    ref = "sha256:" + "0" * 64
    assert not store.exists(ref)
    for read in (store.read, store.open, store.stat):
        with pytest.raises(DocumentNotFoundError) as info:
            read(ref)
        assert str(info.value).startswith(f"no document {ref} in the document store {store.url}; ")
        assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        ("junk", "'junk' is not a document ref: expected sha256:<64 hex digits>"),
        ("sha256:abc", "is not a document ref"),
        ("/home/me/tb.csv", "a local path is no ref: put the file into the store"),
        ("file:///home/me/tb.csv", "a local path is no ref"),
    ],
)
def test_what_is_no_ref_says_so(store: DocumentStore, ref: str, words: str) -> None:
    assert not store.exists(ref)
    with pytest.raises(DocumentNotFoundError, match=words):
        store.read(ref)


def test_an_upper_case_ref_names_the_same_document(store: DocumentStore) -> None:
    ref = store.put(CSV)
    assert store.read(ref.upper().replace("SHA256", "sha256")) == CSV


# -- the size limit -----------------------------------------------------------------------------------------


def test_a_document_over_the_limit_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    store = DocumentStore(str(tmp_path / "docs"), max_size=10)
    assert store.put(b"0123456789") == f"sha256:{hashlib.sha256(b'0123456789').hexdigest()}"  # the limit itself is fine
    before = files_under(tmp_path / "docs")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 11)
    with pytest.raises(DocumentTooLargeError) as info:
        store.put(b"x" * 11, "big.csv")
    assert str(info.value) == (
        "big.csv (11 bytes) is larger than the document store's limit of 10 bytes (NTRO_DOCUMENTS_MAX_MB sets it)"
    )
    with pytest.raises(
        DocumentTooLargeError, match=r"^big\.csv \(11 bytes\) is larger than the document store's limit"
    ):
        store.put(big)
    with big.open("rb") as file, pytest.raises(DocumentTooLargeError, match=r"^big\.csv is larger than"):
        store.put(file)  # a stream is read up to the limit, and no further
    with pytest.raises(DocumentTooLargeError):
        store.check_size(11, "big.csv")
    store.check_size(10)
    assert files_under(tmp_path / "docs") == before


class EndlessStream(io.RawIOBase):
    """A stream that never ends: put must stop reading at the limit."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[:] = b"a" * len(buffer)
        return len(buffer)


def test_an_endless_stream_is_refused_at_the_limit() -> None:
    store = DocumentStore("memory://ntro-test-endless", max_size=4096)
    with pytest.raises(DocumentTooLargeError, match=r"^stream\.bin is larger than .* limit of 4\.0 KB"):
        store.put(EndlessStream(), "stream.bin")  # type: ignore[arg-type]


def test_the_default_limit_is_25_mb_and_the_environment_changes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DocumentStore("memory://ntro-test-limit").max_size == 25 * 2**20 == documents.DEFAULT_MAX_SIZE
    monkeypatch.setenv(documents.MAX_SIZE_ENV, "0.5")
    assert DocumentStore("memory://ntro-test-limit").max_size == 2**19
    assert DocumentStore("memory://ntro-test-limit", max_size=100).max_size == 100
    with pytest.raises(DocumentTooLargeError, match=r"limit of 512\.0 KB"):
        DocumentStore("memory://ntro-test-limit").check_size(2**19 + 1)


@pytest.mark.parametrize("raw", ["abc", "0", "-3", "nan", "inf"])
def test_a_bad_size_limit_setting_is_one_line(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(documents.MAX_SIZE_ENV, raw)
    with pytest.raises(DocumentStoreConfigError, match=rf"^NTRO_DOCUMENTS_MAX_MB='{raw}' is not a number"):
        DocumentStore("memory://ntro-test-limit")


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_a_bad_max_size_argument_is_refused(bad: Any) -> None:
    with pytest.raises(DocumentStoreConfigError, match="max_size must be a whole number of bytes above 0"):
        DocumentStore("memory://ntro-test-limit", max_size=bad)


# -- nothing half-written ------------------------------------------------------------------------------------


class BreaksHalfWay(io.RawIOBase):
    """A source that fails after its first bytes, as a dropped upload does."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.sent:
            raise ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
        self.sent = True
        buffer[:5] = b"12345"
        return 5


def test_a_source_that_fails_half_way_leaves_nothing(tmp_path: Path) -> None:
    store = DocumentStore(str(tmp_path / "docs"))
    with pytest.raises(DocumentError, match=r"^cannot read upload\.csv: Connection reset by peer$"):
        store.put(BreaksHalfWay(), "upload.csv")  # type: ignore[arg-type]
    assert files_under(tmp_path) == []


class DiskFillsUp(LocalFileSystem):
    """A local filesystem whose writes stop half-way with ENOSPC (a full disk), for the write path's cleanup."""

    protocol = "ntro-test-fullfs"
    writes: list[str] = []  # noqa: RUF012

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        self.writes.append(path)
        with open(path, "wb") as file:
            file.write(value[: len(value) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_that_fails_half_way_leaves_no_blob_and_no_temporary_file(tmp_path: Path) -> None:
    fsspec.register_implementation(DiskFillsUp.protocol, DiskFillsUp, clobber=True)
    store = DocumentStore(f"{DiskFillsUp.protocol}://{tmp_path}/docs")
    with pytest.raises(DocumentStoreUnavailableError) as info:
        store.put(CSV, "statement.csv")
    assert str(info.value) == (
        f"the document store {DiskFillsUp.protocol}://{tmp_path}/docs cannot be written: No space left on device"
    )
    assert DiskFillsUp.writes and DiskFillsUp.writes[-1].endswith(".part")  # it wrote beside, never in place
    assert files_under(tmp_path) == []
    # The same directory, on a disk with room again: the document is whole.
    healthy = DocumentStore(str(tmp_path / "docs"))
    assert healthy.read(healthy.put(CSV, "statement.csv")) == CSV


def test_bytes_without_metadata_are_no_document_until_put_again(tmp_path: Path) -> None:
    """A crash between the bytes and the metadata: the document does not exist yet; the next put completes it."""
    store = DocumentStore(str(tmp_path / "docs"))
    ref = store.put(CSV, "statement.csv")
    (tmp_path / "docs" / "sha256" / SHA[:2] / f"{SHA}.json").unlink()
    assert not store.exists(ref)
    with pytest.raises(DocumentNotFoundError):
        store.stat(ref)
    assert store.put(CSV, "again.csv") == ref
    assert store.stat(ref).filename == "again.csv"


# -- stores that cannot be used --------------------------------------------------------------------------------


def test_a_directory_store_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    store = DocumentStore(str(blocker / "documents"))
    with pytest.raises(DocumentStoreUnavailableError) as info:
        store.put(CSV)
    assert str(info.value) == f"the document store file://{blocker}/documents cannot be written: Not a directory"
    with pytest.raises(DocumentStoreUnavailableError, match="cannot be read: Not a directory"):
        store.read(f"sha256:{SHA}")
    assert blocker.read_text() == "not a directory"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "the document store URL is empty: give a directory, or a URL such as s3://BUCKET/PREFIX"),
        ("   ", "the document store URL is empty"),
        ("nosuchproto://x/y", "the document store URL 'nosuchproto://x/y' cannot be used: Protocol not known"),
        ("s3://", "the document store URL 's3://' names no bucket: give s3://BUCKET[/PREFIX]"),
        (
            "gs://bucket/docs",
            'the document store gs://bucket/docs needs a package that is not installed: pip install "ntro-core[gcs]"',
        ),
    ],
)
def test_a_bad_url_is_one_line(url: str, words: str) -> None:
    if url.startswith("gs:"):
        import importlib.util

        assert importlib.util.find_spec("gcsfs") is None, "this case needs gcsfs to be absent"
    with pytest.raises(DocumentStoreConfigError) as info:
        DocumentStore(url)
    assert str(info.value).startswith(words)
    assert "\n" not in str(info.value)


def test_a_password_in_the_url_is_never_shown() -> None:
    with pytest.raises(DocumentError) as info:
        DocumentStore("ftp://me:secret@127.0.0.1:1/docs")
    assert "secret" not in str(info.value)
    assert "ftp://me:***@127.0.0.1:1/docs" in str(info.value)


def test_every_error_is_an_ntro_error_with_one_line_and_survives_pickling() -> None:
    for cls in (DocumentStoreConfigError, DocumentStoreUnavailableError, DocumentNotFoundError, DocumentTooLargeError):
        error = cls("one line")
        assert isinstance(error, DocumentError) and isinstance(error, NtroError)
        clone = pickle.loads(pickle.dumps(error))
        assert (type(clone), str(clone)) == (cls, "one line")


# -- bundled samples -------------------------------------------------------------------------------------------


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    directory = tmp_path / "samples"
    directory.mkdir()
    (directory / "trial-balance.csv").write_bytes(CSV)
    (directory / "notice.json").write_text("{}")
    return directory


def test_sample_refs_read_the_bundled_file_and_need_no_store(
    samples: Path, monkeypatch: pytest.MonkeyPatch, store: DocumentStore
) -> None:
    monkeypatch.setenv(documents.DOCUMENTS_ENV, "nosuchproto://never/opened")  # no store is opened for a sample
    assert documents.read("sample:trial-balance", samples=samples) == CSV
    with documents.open("sample:notice", samples=str(samples)) as file:
        assert file.read() == b"{}"
    info = documents.stat("sample:trial-balance", samples=samples)
    assert (info.ref, info.filename, info.content_type, info.size, info.stored_at) == (
        "sample:trial-balance",
        "trial-balance.csv",
        "text/csv",
        len(CSV),
        None,
    )
    assert documents.exists("sample:notice", samples=samples)
    assert not documents.exists("sample:nothing", samples=samples)
    assert store.read("sample:trial-balance", samples=samples) == CSV  # a store reads them the same way


@pytest.mark.parametrize("name", ["nothing", "", "../samples/notice", ".hidden", "a*"])
def test_an_unknown_sample_lists_the_samples(samples: Path, name: str) -> None:
    with pytest.raises(DocumentNotFoundError) as info:
        documents.read(f"sample:{name}", samples=samples)
    assert str(info.value) == f"no bundled sample {name!r} in {samples}; samples: notice, trial-balance"


def test_a_sample_ref_without_a_samples_directory_says_how_to_read_it() -> None:
    with pytest.raises(DocumentNotFoundError, match=r"'sample:x' is a bundled-sample ref .*: read it with samples="):
        documents.read("sample:x")


# -- the default store -------------------------------------------------------------------------------------------


def test_the_default_store_is_a_directory_in_the_users_data_directory(tmp_path: Path) -> None:
    expected = tmp_path / "xdg" / "ntro" / "documents"
    assert documents.default_url() == expected.as_uri()
    ref = documents.put(CSV, "statement.csv")
    assert (expected / "sha256" / SHA[:2] / SHA).read_bytes() == CSV
    assert documents.read(ref) == CSV
    assert documents.stat(ref).filename == "statement.csv"
    assert documents.exists(ref)
    with documents.open(ref) as file:
        assert file.read() == CSV


def test_ntro_documents_names_the_default_store_and_set_default_store_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(documents.DOCUMENTS_ENV, str(tmp_path / "team"))
    first = documents.default_store()
    assert first.url == (tmp_path / "team").as_uri()
    assert documents.default_store() is first  # made once per setting
    ref = documents.put(CSV)
    assert (tmp_path / "team" / "sha256" / SHA[:2] / SHA).exists()
    assert documents.set_default_store("memory://ntro-test-chosen") is None  # the environment named it before
    chosen = documents.default_store()
    assert chosen.url == "memory://ntro-test-chosen"
    assert not documents.exists(ref)
    other = DocumentStore("memory://ntro-test-other")
    assert documents.set_default_store(other) is chosen  # what to put back afterwards
    assert documents.default_store() is other
    assert documents.set_default_store(None) is other
    assert documents.read(ref) == CSV
    monkeypatch.setenv(documents.DOCUMENTS_ENV, str(tmp_path / "other"))
    assert documents.default_store().url == (tmp_path / "other").as_uri()
    with pytest.raises(DocumentStoreConfigError):
        documents.set_default_store("nosuchproto://x")


def test_a_ref_is_relative_to_its_store(tmp_path: Path) -> None:
    """What a worker with another store URL sees: the same bytes under the same ref, if it holds them."""
    one, two = DocumentStore(str(tmp_path / "one")), DocumentStore("memory://ntro-test-two")
    ref = one.put(CSV, "a.csv")
    assert not two.exists(ref)
    assert two.put(CSV, "b.csv") == ref
    assert two.read(ref) == one.read(ref)


def test_importing_the_facades_or_the_module_does_not_import_fsspec() -> None:
    code = (
        "import sys, ntro.workflow, ntro.documents, ntro.client; before = 'fsspec' in sys.modules; "
        "ntro.documents.DocumentStore('memory://x'); print(before, 'fsspec' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


# -- answering an upload with a document ------------------------------------------------------------------------


def test_document_answer_puts_the_file_first_and_answers_with_its_ref(tmp_path: Path) -> None:
    args = {"source": "bank-statement", "entity_id_or_slug": "demo-fund", "signal_name": "document_submitted"}
    gate = Gate.of("wf", {"kind": "submit_file", "args": args})
    assert gate is not None
    path = tmp_path / "october.csv"
    path.write_bytes(CSV)
    store = DocumentStore(str(tmp_path / "docs"))
    payload = document_answer(gate, path, store=store)
    assert payload == {
        "document_ref": f"sha256:{SHA}",
        "filename": "october.csv",
        "content_type": "text/csv",
        "source": "bank-statement",
        "tenant_slug": None,
        "entity_slug": "demo-fund",
    }
    assert store.read(payload["document_ref"]) == CSV
    by_default = document_answer(gate, b"{}", filename="notice.json")
    assert (by_default["filename"], by_default["content_type"]) == ("notice.json", "application/json")
    assert documents.read(by_default["document_ref"]) == b"{}"
    with pytest.raises(DocumentTooLargeError):
        document_answer(gate, path, store=DocumentStore("memory://ntro-test-small", max_size=3))
