"""Seeded secrets (conftest.SEEDED_SECRETS) never reach the vocabulary, tokens, dataset or model folder.

Default settings: the tiny real chain (``rrweb_hf.pipeline.run_all``: tokenizer -> Parquet dataset ->
tiny BERT -> model card) on sessions that type and show e-mails, phone and card numbers, a password
and free text. With ``mask_inputs=False, mask_pii=False`` the same corpus does leak them (so these
checks can fail); passwords stay masked even then (documented: they are masked regardless).
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
from conftest import SEEDED_SECRETS, build_session
from pretrain_chain import TINY_OVERRIDES, offline_env

from rrweb_hf.prepare import export_dataset, load_tokenizer, prepare_windows
from rrweb_hf.tokenization_rrweb import RRWebTokenizer

TEXT_VOCAB = 600
MAX_LENGTH = 128
#: Each secret and obvious fragments of it (no fragment occurs in the sessions' non-secret text).
FRAGMENTS = {
    "email": [SEEDED_SECRETS["email"], "jane.doe", "doe.secret", "example-mail"],
    "phone": [SEEDED_SECRETS["phone"], "555-0199", "5550199", "(415)"],
    "card": [SEEDED_SECRETS["card"], "4539148803436467", "4539 1488", "0343 6467"],
    "password": [SEEDED_SECRETS["password"], "Hunter2", "2Secret"],
    "typed": [SEEDED_SECRETS["typed"], "zebracorn", "quokka", "feather"],
}
ALL_FRAGMENTS = [f for frags in FRAGMENTS.values() for f in frags]


def _leaks(text: str) -> list[str]:
    return [f for f in ALL_FRAGMENTS if f in text]


def _vocab_text(tokenizer_dir: Path) -> str:
    """vocab.json + every token of tokenizer_text.json, byte-level markers turned back into text."""
    text_model = json.loads((tokenizer_dir / "tokenizer_text.json").read_text())
    tokens = list(text_model["model"]["vocab"]) + [
        " ".join(m) if isinstance(m, list) else m for m in text_model["model"].get("merges", [])
    ]
    joined = "\n".join(tokens).replace("Ġ", " ")
    return (tokenizer_dir / "vocab.json").read_text() + "\n" + joined


def _decoded_windows(dataset_dir: Path, tokenizer) -> str:
    dsd = datasets.load_dataset(str(dataset_dir))
    assert sum(ds.num_rows for ds in dsd.values()) > 0
    parts = []
    for ds in dsd.values():
        for ids in ds["input_ids"]:
            parts.append(tokenizer.convert_tokens_to_string(tokenizer.convert_ids_to_tokens(ids)))
            parts.append(tokenizer.decode(ids))
    return "\n".join(parts)


def _folder_bytes(folder: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("privacy") / "corpus"
    root.mkdir()
    for seed in range(8):
        (root / f"s{seed}.json").write_text(json.dumps(build_session(seed, interactions=30)))
    raw = _folder_bytes(root).decode()
    for kind in ("email", "phone", "card", "password", "typed"):
        assert SEEDED_SECRETS[kind] in raw, kind  # the corpus really holds every secret
    return root


@pytest.fixture(scope="module")
def masked_chain(corpus, tmp_path_factory):
    from rrweb_hf.pipeline import run_all

    root = tmp_path_factory.mktemp("privacy_run")
    with offline_env(root):
        return run_all(
            corpus,
            root / "run",
            config_overrides=TINY_OVERRIDES,
            text_vocab_size=TEXT_VOCAB,
            max_length=MAX_LENGTH,
            stride=16,
            validation_fraction=0.25,
            test_fraction=0.25,
            max_steps=4,
            max_train_minutes=None,
            total_minutes=None,
            batch_size=4,
            eval_steps=4,
            save_steps=4,
            progress=False,
            max_final_eval_samples=16,
            cache_dir=root / "hf_cache",
        )


def test_default_settings_leak_no_secret_into_vocabulary(masked_chain):
    assert _leaks(_vocab_text(Path(masked_chain["tokenizer_dir"]))) == []


def test_default_settings_leak_no_secret_into_tokens_or_dataset(masked_chain, corpus):
    from rrweb_hf import RRWebTokenizer

    tok = load_tokenizer(masked_chain["tokenizer_dir"])
    assert tok.profile == "behaviour"  # run-all's default summarises DOM text
    full = RRWebTokenizer()  # the full profile serialises every text node: masked there, not dropped
    for path in sorted(corpus.iterdir()):
        events = json.loads(path.read_text())
        tokens_by_profile = {}
        for tokenizer in (tok, full):
            ids, _ = tokenizer.encode_session(events)
            tokens = tokenizer.convert_ids_to_tokens(ids)
            assert _leaks(tokenizer.convert_tokens_to_string(tokens)) == []
            assert _leaks("".join(tokens).replace("Ġ", " ")) == []
            assert _leaks(" ".join(tokenizer.text_pieces(events))) == []
            tokens_by_profile[tokenizer.profile] = tokens
        full_tokens = tokens_by_profile["full"]
        assert "[PII:email]" in full_tokens and "[PII:phone]" in full_tokens  # masked, not dropped
    assert _leaks(_decoded_windows(Path(masked_chain["dataset_dir"]), tok)) == []


@pytest.mark.parametrize("folder", ["dataset_dir", "model_dir", "tokenizer_dir"])
def test_default_settings_leak_no_secret_into_any_output_file(masked_chain, folder):
    data = _folder_bytes(Path(masked_chain[folder]))
    assert data
    assert [f for f in ALL_FRAGMENTS if f.encode() in data] == []
    if folder == "model_dir":
        card = (Path(masked_chain[folder]) / "README.md").read_text()
        assert _leaks(card) == []


def test_without_masking_the_secrets_do_appear(corpus, tmp_path):
    sessions = [json.loads(p.read_text()) for p in sorted(corpus.iterdir())]
    tok = RRWebTokenizer.train(
        sessions, text_vocab_size=TEXT_VOCAB, show_progress=False, mask_inputs=False, mask_pii=False
    )
    tok.save_pretrained(tmp_path / "tok")
    vocab_leaks = _leaks(_vocab_text(tmp_path / "tok"))
    assert vocab_leaks, "with masking off some secret fragment is learned as a subword"
    result = prepare_windows(
        corpus,
        tok,
        max_length=MAX_LENGTH,
        stride=16,
        validation_fraction=0.25,
        test_fraction=0.25,
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    out = export_dataset(result.dataset, tmp_path / "ds", report=result.report, title="unmasked")
    decoded = _decoded_windows(out, load_tokenizer(tmp_path / "tok"))
    for kind in ("email", "phone", "card", "typed"):
        assert any(f in decoded for f in FRAGMENTS[kind]), kind
    assert not any(f in decoded for f in FRAGMENTS["password"])  # passwords are masked regardless
    full = " ".join(
        tok.convert_tokens_to_string(tok.convert_ids_to_tokens(tok.encode_session(s)[0])) for s in sessions
    )
    assert [k for k in ("email", "phone", "card", "typed") if SEEDED_SECRETS[k] not in full] == []
    assert SEEDED_SECRETS["password"] not in full


# ---------------------------------------------------------------- loading code safely (trust_remote_code)

#: What ``save_pretrained`` writes: the remote-code path carries exactly these files, nothing else.
TOKENIZER_DATA_FILES = {"tokenizer_config.json", "vocab.json", "tokenizer_text.json"}
TOKENIZER_CODE_FILES = {
    "tokenization_rrweb.py",
    "rrweb_walker.py",
    "dom_mirror.py",
    "walker_options.py",
    "rrweb_types.py",
    "privacy.py",
    "jsonutil.py",
    "event_codecs.py",
}


def test_saved_tokenizer_folder_holds_exactly_the_data_and_package_modules(tiny_tokenizer, tmp_path):
    import ast

    import rrweb_hf

    tiny_tokenizer.save_pretrained(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == TOKENIZER_DATA_FILES | TOKENIZER_CODE_FILES
    assert all(p.is_file() for p in tmp_path.iterdir())
    package = Path(rrweb_hf.__file__).parent
    for name in sorted(TOKENIZER_CODE_FILES):
        assert (tmp_path / name).read_bytes() == (package / name).read_bytes(), name  # byte for byte
        tree = ast.parse((tmp_path / name).read_text())
        for node in ast.walk(tree):  # every relative import is one of the shipped files: nothing is missing
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1 and f"{node.module}.py" in TOKENIZER_CODE_FILES, (name, node.module)
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert config["auto_map"]["AutoTokenizer"][0] == "tokenization_rrweb.RRWebTokenizer"


def test_model_card_template_documents_the_trust_remote_code_trade_off():
    from rrweb_hf.model_card import DEFAULT_TEMPLATE

    template = DEFAULT_TEMPLATE.read_text()
    for phrase in (
        "pip install rrweb_hf",
        "import rrweb_hf",
        "recommended; no remote code runs",
        "trust_remote_code=True",
        "revision=",
        "nothing else",
    ):
        assert phrase in template, phrase
    for name in sorted(TOKENIZER_DATA_FILES | TOKENIZER_CODE_FILES):
        assert f"`{name}`" in template, name
