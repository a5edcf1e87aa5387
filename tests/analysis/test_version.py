"""The analyser's version moves with its data."""

from __future__ import annotations

from closer import analysis


def test_data_files_match_the_released_version():
    assert analysis.data_digest() == analysis.DATA_DIGEST, (
        "closer/analysis/data changed: bump ANALYSER_VERSION (comments are re-analysed) "
        f"and set DATA_DIGEST = {analysis.data_digest()!r}"
    )


def test_version_is_a_stable_string():
    assert isinstance(analysis.ANALYSER_VERSION, str) and analysis.ANALYSER_VERSION
