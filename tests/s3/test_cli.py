"""The AWS CLI through the gateway: `aws s3` (mb, cp, sync, ls, rm, rb) and `aws s3api`.

The CLI is the client most users try first; it uses multipart uploads above 8 MiB, ranged
parallel GETs to download, and ListObjectsV2 + HeadObject to decide what `sync` copies.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.s3.conftest import S3Cloud

pytestmark = pytest.mark.system

MIB = 1024 * 1024
PART = 8 * MIB  # the CLI's default multipart_chunksize (and threshold)


def cli_env() -> dict[str, str]:
    """The environment of a user holding the root test key, with no config files of theirs."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    }
    env.pop("AWS_PROFILE", None)
    return env


def aws_bytes(cloud: S3Cloud, *args: str, stdin: bytes | None = None) -> bytes:
    """Run `aws --endpoint-url <gateway> ARGS` with binary stdin/stdout (for `cp -`)."""
    done = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", cloud.endpoint, *args],
        input=stdin,
        capture_output=True,
        timeout=240,
        env=cli_env(),
    )
    assert done.returncode == 0, f"aws {' '.join(args)}: {done.stderr.decode()}"
    return done.stdout


def aws(cloud: S3Cloud, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `aws --endpoint-url <gateway> ARGS`; fail with its output unless check=False."""
    done = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", cloud.endpoint, *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=cli_env(),
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"aws {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def api(cloud: S3Cloud, *args: str) -> Any:
    """`aws s3api ...` with its JSON output parsed (None when it prints nothing)."""
    out = aws(cloud, "s3api", *args, "--output", "json").stdout
    return json.loads(out) if out.strip() else None


def random_file(path: Path, size: int) -> str:
    """Write `size` random bytes (1 MiB at a time) and return their sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(MIB, left))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(MIB):
            digest.update(block)
    return digest.hexdigest()


def multipart_etag(path: Path, part_size: int) -> str:
    """The ETag S3 gives a multipart upload: md5 of the parts' md5s, then -<part count>."""
    digests = []
    with path.open("rb") as stream:
        while part := stream.read(part_size):
            digests.append(hashlib.md5(part).digest())
    return f'"{hashlib.md5(b"".join(digests)).hexdigest()}-{len(digests)}"'


def tree_of(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under root."""
    return {
        path.relative_to(root).as_posix(): sha256_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def listed(cloud: S3Cloud, url: str) -> dict[str, int]:
    """`aws s3 ls --recursive` parsed: key -> size."""
    out = aws(cloud, "s3", "ls", "--recursive", url).stdout
    found = {}
    for line in out.splitlines():
        # "2026-11-28 17:00:00       1234 some/key with spaces"
        _, _, size, key = line.split(maxsplit=3)
        found[key] = int(size)
    return found


def stored(s3: Any, bucket: str) -> dict[str, int]:
    """key -> size of every object, by boto3 (a check that costs no CLI start-up)."""
    found: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
    return found


@pytest.fixture
def cli_bucket(s3: Any) -> Iterator[str]:
    """A bucket of the test's own, emptied and removed afterwards (with boto3, quickly)."""
    name = f"cli-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    yield name
    keys = list(stored(s3, name))
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start : start + 1000]]
        s3.delete_objects(Bucket=name, Delete={"Objects": batch, "Quiet": True})
    s3.delete_bucket(Bucket=name)


def test_mb_ls_and_rb(s3_cloud: S3Cloud, s3: Any) -> None:
    name = f"cli-{uuid.uuid4().hex[:16]}"
    assert aws(s3_cloud, "s3", "mb", f"s3://{name}").stdout.strip() == f"make_bucket: {name}"
    buckets = aws(s3_cloud, "s3", "ls").stdout.splitlines()
    assert any(line.split()[-1] == name for line in buckets), buckets
    assert aws(s3_cloud, "s3", "rb", f"s3://{name}").stdout.strip() == f"remove_bucket: {name}"
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_cp_a_large_file_up_and_down_with_multipart(
    s3_cloud: S3Cloud, s3: Any, cli_bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    size = 100 * MIB + 12345  # 13 parts: twelve of 8 MiB and a short last one
    expected = random_file(source, size)
    url = f"s3://{cli_bucket}/dir/big.bin"

    up = aws(s3_cloud, "s3", "cp", str(source), url, "--only-show-errors")
    assert up.stdout == "" and up.stderr == ""
    head = s3.head_object(Bucket=cli_bucket, Key="dir/big.bin")
    assert head["ContentLength"] == size
    assert head["ETag"] == multipart_etag(source, PART)
    assert stored(s3, cli_bucket) == {"dir/big.bin": size}

    target = tmp_path / "down" / "big.bin"  # the CLI downloads it in parallel ranged GETs
    aws(s3_cloud, "s3", "cp", url, str(target), "--only-show-errors")
    assert target.stat().st_size == size
    assert sha256_of(target) == expected


def test_cp_from_stdin_and_to_stdout(s3_cloud: S3Cloud, s3: Any, cli_bucket: str) -> None:
    body = os.urandom(20 * MIB + 7)  # read from a pipe of unknown length: three parts
    url = f"s3://{cli_bucket}/piped.bin"
    aws_bytes(s3_cloud, "s3", "cp", "-", url, stdin=body)
    head = s3.head_object(Bucket=cli_bucket, Key="piped.bin")
    assert head["ContentLength"] == len(body)
    assert head["ETag"].endswith('-3"'), head["ETag"]
    assert aws_bytes(s3_cloud, "s3", "cp", url, "-") == body


def make_tree(root: Path) -> dict[str, str]:
    """A small directory tree: nested folders, an empty file, odd names, one multipart file."""
    files = {
        "top.txt": 100,
        "empty.dat": 0,
        "docs/readme.md": 2000,
        "docs/deep/er/leaf.json": 300,
        "docs/with space.txt": 50,
        "data/über-ñame.csv": 4096,
        "data/big.bin": 9 * MIB,  # above the 8 MiB threshold: uploaded in two parts
    }
    for index in range(12):
        files[f"many/file-{index:02d}.log"] = 1000 + index
    for name, size in files.items():
        random_file(root / name, size)
    return tree_of(root)


def actions(out: str) -> list[str]:
    """The CLI's "upload: a to b" / "download: ..." / "delete: ..." lines."""
    return [line for line in out.splitlines() if line.split(":")[0] in ACTIONS]


ACTIONS = {"upload", "download", "delete", "copy"}


def test_sync_both_ways_then_nothing_to_copy(
    s3_cloud: S3Cloud, s3: Any, cli_bucket: str, tmp_path: Path
) -> None:
    local = tmp_path / "local"
    expected = make_tree(local)
    url = f"s3://{cli_bucket}/tree/"

    first = aws(s3_cloud, "s3", "sync", "--no-progress", str(local), url).stdout
    assert [line.split(":")[0] for line in actions(first)] == ["upload"] * len(expected), first
    sizes = {f"tree/{name}": (local / name).stat().st_size for name in expected}
    assert stored(s3, cli_bucket) == sizes

    again = aws(s3_cloud, "s3", "sync", "--no-progress", str(local), url).stdout
    assert actions(again) == [], f"a second sync up copied:\n{again}"

    back = tmp_path / "back"
    down = aws(s3_cloud, "s3", "sync", "--no-progress", url, str(back)).stdout
    assert [line.split(":")[0] for line in actions(down)] == ["download"] * len(expected), down
    assert tree_of(back) == expected
    again = aws(s3_cloud, "s3", "sync", "--no-progress", url, str(back)).stdout
    assert actions(again) == [], f"a second sync down copied:\n{again}"

    # A changed file (new size) goes up alone; a deleted one goes with --delete.
    random_file(local / "docs/readme.md", 2500)
    (local / "top.txt").unlink()
    changed = actions(
        aws(s3_cloud, "s3", "sync", "--no-progress", "--delete", str(local), url).stdout
    )
    assert sorted(line.split(":")[0] for line in changed) == ["delete", "upload"], changed
    assert any(line.endswith("tree/docs/readme.md") for line in changed)
    assert any(line.endswith("tree/top.txt") for line in changed)
    now = stored(s3, cli_bucket)
    assert "tree/top.txt" not in now and now["tree/docs/readme.md"] == 2500

    aws(s3_cloud, "s3", "sync", "--no-progress", "--delete", url, str(back))
    assert tree_of(back) == tree_of(local)


def test_ls_and_rm_recursive(s3_cloud: S3Cloud, s3: Any, cli_bucket: str, tmp_path: Path) -> None:
    local = tmp_path / "local"
    for index in range(30):
        random_file(local / f"a/{index:02d}.txt", 10 + index)
    for index in range(5):
        random_file(local / f"b/c d/{index}.txt", 10)
    aws(s3_cloud, "s3", "cp", "--recursive", "--quiet", str(local), f"s3://{cli_bucket}/")
    expected = {
        path.relative_to(local).as_posix(): path.stat().st_size
        for path in local.rglob("*")
        if path.is_file()
    }
    assert listed(s3_cloud, f"s3://{cli_bucket}/") == expected
    assert stored(s3, cli_bucket) == expected

    removed = aws(s3_cloud, "s3", "rm", "--recursive", f"s3://{cli_bucket}/a/").stdout
    assert len([line for line in removed.splitlines() if line.startswith("delete:")]) == 30
    assert sorted(stored(s3, cli_bucket)) == [f"b/c d/{i}.txt" for i in range(5)]

    aws(s3_cloud, "s3", "rm", "--recursive", "--quiet", f"s3://{cli_bucket}")
    assert s3.list_objects_v2(Bucket=cli_bucket)["KeyCount"] == 0


def test_s3api_object_calls(s3_cloud: S3Cloud, s3: Any, cli_bucket: str, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_bytes(b"hello from the aws cli\n" * 100)
    put = api(
        s3_cloud,
        "put-object",
        "--bucket",
        cli_bucket,
        "--key",
        "folder/hello.txt",
        "--body",
        str(body),
        "--content-type",
        "text/plain",
        "--metadata",
        "colour=blue,size=large",
    )
    assert put["ETag"] == f'"{hashlib.md5(body.read_bytes()).hexdigest()}"'
    s3.put_object(Bucket=cli_bucket, Key="other/x", Body=b"x")

    head = api(s3_cloud, "head-object", "--bucket", cli_bucket, "--key", "folder/hello.txt")
    assert head["ContentLength"] == body.stat().st_size
    assert head["ContentType"] == "text/plain"
    assert head["Metadata"] == {"colour": "blue", "size": "large"}
    assert head["ETag"] == put["ETag"]

    out = tmp_path / "ranged.txt"
    got = api(
        s3_cloud,
        "get-object",
        "--bucket",
        cli_bucket,
        "--key",
        "folder/hello.txt",
        "--range",
        "bytes=6-9",
        str(out),
    )
    assert out.read_bytes() == b"from"
    assert got["ContentRange"] == f"bytes 6-9/{body.stat().st_size}"

    listing = api(s3_cloud, "list-objects-v2", "--bucket", cli_bucket, "--delimiter", "/")
    assert [p["Prefix"] for p in listing["CommonPrefixes"]] == ["folder/", "other/"]
    assert listing.get("Contents", []) == []

    api(s3_cloud, "delete-object", "--bucket", cli_bucket, "--key", "folder/hello.txt")
    assert stored(s3, cli_bucket) == {"other/x": 1}
