"""RFC 6962/9162 Merkle trees: the published test vectors and every inclusion path."""

from __future__ import annotations

import hashlib

import pytest

from settlement.domain.merkle import (
    EMPTY_ROOT,
    inclusion_path,
    leaf_hash,
    merkle_root,
    node_hash,
    root_from_path,
)

# The eight leaves and the roots of their prefixes used by Certificate Transparency's
# reference implementation tests.
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
             "606162636465666768696a6b6c6d6e6f"]  # fmt: skip
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_roots_match_the_certificate_transparency_vectors() -> None:
    leaves = [leaf_hash(bytes.fromhex(d)) for d in CT_LEAVES]
    assert merkle_root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    for n, expected in enumerate(CT_ROOTS, start=1):
        assert merkle_root(leaves[:n]).hex() == expected


def _recursive_root(leaves: list[bytes]) -> bytes:
    # The RFC's recursive definition, written independently of merkle_root.
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_recursive_root(leaves[:k]), _recursive_root(leaves[k:]))


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64, 100])
def test_every_leaf_has_a_path_to_the_root_and_no_other_leaf_does(size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    root = merkle_root(leaves)
    assert root == _recursive_root(leaves)
    for index in range(size):
        path = inclusion_path(index, leaves)
        assert root_from_path(index, size, leaves[index], path) == root
        assert len(path) <= max(1, (size - 1).bit_length())
        other = leaves[(index + 1) % size]
        if size > 1:
            assert root_from_path(index, size, other, path) != root
            assert root_from_path((index + 1) % size, size, leaves[index], path) != root


def test_paths_that_cannot_fit_the_tree_are_refused() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(6)]
    path = inclusion_path(2, leaves)
    assert root_from_path(6, 6, leaves[2], path) is None
    assert root_from_path(2, 6, leaves[2], [*path, path[0]]) is None
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_path(6, leaves)
