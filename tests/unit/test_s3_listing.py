"""The S3 listing walk and its pure helpers, against an in-memory sorted index."""

from __future__ import annotations

import asyncio
import bisect

import pytest
from nimbus_core.errors import AwsError
from nimbus_s3.listing_keys import (
    common_prefix,
    encoding,
    make_token,
    max_keys,
    prefix_end,
    read_token,
    url_encode,
)
from nimbus_s3.listing_walk import CommonPrefix, Start, first_start, walk


class Index:
    """A sorted key list that counts the rows it hands out (the cost of a walk)."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = sorted(keys)
        self.rows_read = 0
        self.queries = 0

    async def fetch(self, start: Start, end: str | None, limit: int) -> list[str]:
        self.queries += 1
        find = bisect.bisect_left if start.inclusive else bisect.bisect_right
        lo = find(self.keys, start.key)
        out = []
        for key in self.keys[lo:]:
            if end is not None and key >= end:
                break
            out.append(key)
            if len(out) == limit:
                break
        self.rows_read += len(out)
        return out


def listing(
    index: Index, *, prefix: str = "", delimiter: str = "", marker: str = "", limit: int = 1000
) -> tuple[list[str], bool]:
    page = asyncio.run(
        walk(
            index.fetch,
            lambda k: k,
            lambda k: None,
            prefix=prefix,
            delimiter=delimiter,
            start=first_start(prefix, marker),
            marker=marker,
            limit=limit,
        )
    )
    names = [e.prefix + "(cp)" if isinstance(e, CommonPrefix) else e for e in page.entries]
    return names, page.truncated


CEPH_KEYS = ["asdf", "boo/bar", "boo/baz/xyzzy", "cquux/thud", "cquux/bla"]


def test_delimiter_roll_up_and_pages_like_s3() -> None:
    index = Index(CEPH_KEYS)
    assert listing(index, delimiter="/") == (["asdf", "boo/(cp)", "cquux/(cp)"], False)
    assert listing(index, delimiter="/", limit=1) == (["asdf"], True)
    assert listing(index, delimiter="/", marker="asdf", limit=1) == (["boo/(cp)"], True)
    # The marker names a common prefix already listed: its keys are not rolled up again.
    assert listing(index, delimiter="/", marker="boo/", limit=1) == (["cquux/(cp)"], False)
    assert listing(index, delimiter="/", prefix="boo/") == (["boo/bar", "boo/baz/(cp)"], False)
    assert listing(index, delimiter="/", prefix="boo/", limit=1) == (["boo/bar"], True)


def test_prefix_marker_and_zero_limit() -> None:
    index = Index(CEPH_KEYS)
    assert listing(index, prefix="boo/") == (["boo/bar", "boo/baz/xyzzy"], False)
    assert listing(index, marker="boo/bar") == (["boo/baz/xyzzy", "cquux/bla", "cquux/thud"], False)
    assert listing(index, prefix="cquux/", marker="a") == (["cquux/bla", "cquux/thud"], False)
    assert listing(index, prefix="zzz") == ([], False)
    assert listing(index, limit=0) == ([], False)


def test_common_prefix_is_skipped_in_the_index_not_scanned() -> None:
    keys = [f"dir{d}/file{i:05d}" for d in range(3) for i in range(5000)] + ["z"]
    index = Index(keys)
    names, truncated = listing(index, delimiter="/")
    assert names == ["dir0/(cp)", "dir1/(cp)", "dir2/(cp)", "z"]
    assert not truncated
    assert index.rows_read < 1000  # one batch per directory at most, never all 15,000 rows


def test_many_small_directories_need_few_queries() -> None:
    keys = [f"d{d:04d}/f{i}" for d in range(2000) for i in range(2)]
    index = Index(keys)
    names, truncated = listing(index, delimiter="/")
    assert len(names) == 1000 and truncated
    assert names[0] == "d0000/(cp)" and names[-1] == "d0999/(cp)"
    assert index.queries <= 12  # batches grow while no big prefix is met


def test_multi_character_delimiter_and_delimiter_inside_prefix() -> None:
    index = Index(["a::b::c", "a::d", "a:x", "b"])
    assert listing(index, delimiter="::") == (["a::(cp)", "a:x", "b"], False)
    assert listing(index, prefix="a::", delimiter="::") == (["a::b::(cp)", "a::d"], False)


def test_unicode_orders_by_code_point_like_utf8_bytes() -> None:
    keys = ["\u00e9", "z", "\U0001f600", "\uffff", "a"]
    assert listing(Index(keys))[0] == ["a", "z", "\u00e9", "\uffff", "\U0001f600"]
    assert sorted(keys, key=lambda k: k.encode()) == sorted(keys)


def test_prefix_end() -> None:
    assert prefix_end("") is None
    assert prefix_end("abc") == "abd"
    assert prefix_end("a/") == "a0"
    assert prefix_end("a\U0010ffff") == "b"
    assert prefix_end("\U0010ffff") is None
    assert prefix_end("a\ud7ff") == "a\ue000"
    for prefix in ["abc", "a/", "x\u00ff", "q\U0001f600"]:
        end = prefix_end(prefix)
        assert end is not None and prefix + "\U0010ffff" * 3 < end and prefix < end


def test_common_prefix_helper() -> None:
    assert common_prefix("a/b/c", "", "/") == "a/"
    assert common_prefix("a/b/c", "a/", "/") == "a/b/"
    assert common_prefix("a/b", "a/b", "/") is None
    assert common_prefix("a/b", "", "") is None


def test_url_encoding_like_s3() -> None:
    assert url_encode("foo+1/") == "foo%2B1/"
    assert url_encode("quux ab/") == "quux%20ab/"
    assert url_encode("\u00e9/x") == "%C3%A9/x"
    assert url_encode("a\x01b") == "a%01b"
    assert encoding(None) is False
    assert encoding("url") is True
    with pytest.raises(AwsError) as caught:
        encoding("base64")
    assert caught.value.code == "InvalidArgument"


def test_max_keys_and_tokens() -> None:
    assert max_keys(None) == 1000
    assert max_keys(5000) == 1000
    assert max_keys(0) == 0
    with pytest.raises(AwsError):
        max_keys(-1)
    token = make_token("dir/\u00e9")
    assert read_token(token) == "dir/\u00e9"
    for bad in ["", "not base64!", make_token("x")[:-4]]:
        with pytest.raises(AwsError) as caught:
            read_token(bad)
        assert caught.value.code == "InvalidArgument"
