"""Property tests: generated cards never make the parser or the grader raise, and every report fits its schema.

The examples are derandomized (the same ones on every run, so a failure reproduces) and there is no deadline.
``OPENSCORE_FUZZ_EXAMPLES`` sets how many examples each test tries (default 50); CI's long run uses 5000::

    OPENSCORE_FUZZ_EXAMPLES=5000 python -m pytest -q tests/test_fuzz.py
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import openscore
from openscore import Report
from openscore.card import MAX_CARD_BYTES, CardMetadata, decode_card, load_yaml_mapping, parse_card

FUZZ = settings.get_profile("openscore-fuzz")  # registered in conftest.py
EXAMPLES = FUZZ.max_examples

# ------------------------------------------------------------------------------------------- strategies

#: The front-matter keys openscore reads, plus a few it ignores.
READ_KEYS = sorted(CardMetadata.model_fields)
OTHER_KEYS = ["model-index", "widget", "inference", "thumbnail", "co2_eq_emissions", "metrics", "Licence", "LICENSE"]

LICENSE_WORDS = [
    "mit", "apache-2.0", "other", "llama3", "cc-by-nc-4.0", "openrail", "gpl-3.0", "unknown", "MIT OR Apache-2.0",
    "(mit", "LicenseRef-x", "cc-by-4.0 AND", "bsd-3-clause", "creativeml-openrail-m", "afl-3.0", "",
]  # fmt: skip
URLS = [
    "https://github.com/org/repo", "https://huggingface.co/datasets/org/data", "javascript:alert(1)", "LICENSE",
    "./LICENSE.md", "https://example.com/a_(b)", "http://", "data:text/html,x", "../../etc/passwd", "mailto:x@y",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(LICENSE_WORDS + URLS),
)
json_like = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.dictionaries(st.one_of(st.text(max_size=12), st.sampled_from(READ_KEYS)), children, max_size=5),
    ),
    max_leaves=25,
)
field_values: dict[str, st.SearchStrategy[Any]] = {
    "license": st.one_of(st.sampled_from(LICENSE_WORDS), st.lists(st.sampled_from(LICENSE_WORDS), max_size=4)),
    "license_name": st.one_of(st.sampled_from(["llama3", "herd-license", "Apache 2.0", ""]), st.text(max_size=30)),
    "license_link": st.sampled_from(URLS),
    "datasets": st.lists(st.sampled_from(["openlab/heap", "org/data", "not a repo", "x" * 97, ""]), max_size=4),
    "base_model": st.one_of(st.sampled_from(["org/base", "org/base-2", "bad id!"]), st.lists(st.text(max_size=20))),
    "extra_gated_fields": st.dictionaries(
        st.text(max_size=20), st.one_of(st.sampled_from(["text", "checkbox", "country"]), json_like), max_size=4
    ),
}


@st.composite
def metadata(draw: st.DrawFn) -> dict[Any, Any]:
    """A front-matter mapping: keys openscore reads, with plausible or random values, and some noise."""
    keys = draw(st.lists(st.sampled_from(READ_KEYS + OTHER_KEYS), unique=True, max_size=8))
    for key in ("license", "datasets", "license_name"):  # the keys that decide most: present more often
        if key not in keys and draw(st.integers(0, 2)) == 0:
            keys.insert(draw(st.integers(0, len(keys))), key)
    data: dict[Any, Any] = {}
    for key in keys:
        plausible = field_values.get(key)
        use_plausible = plausible is not None and draw(st.integers(0, 3)) > 0
        data[key] = draw(plausible if use_plausible and plausible is not None else json_like)
    if draw(st.booleans()):
        data[draw(st.one_of(st.integers(), st.booleans(), st.none()))] = draw(scalars)
    return data


def _dump_yaml(data: dict[Any, Any], flow: bool) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    except (yaml.YAMLError, ValueError):  # pragma: no cover - safe_dump handles JSON-like data
        return ""


@st.composite
def yamlish_lines(draw: st.DrawFn) -> str:
    """Hand-made YAML-looking lines: often invalid, with anchors, aliases, tags, odd indentation."""
    pieces = st.sampled_from(
        [
            "license: ", "license_name: ", "datasets:", "- ", "  - ", "base_model: ", "extra_gated_fields:",
            "  Name: text", "&a ", "*a", "!!python/object ", "!!binary ", "{", "}", "[", "]", ": ", "? ", "'",
            '"', "\t", "---", "...", "<<: *a", "# comment", "%YAML 1.2", "|", ">", "\\", "\x00", "\ufeff",
        ]
    )  # fmt: skip
    lines = draw(st.lists(st.lists(pieces | st.text(max_size=8), max_size=5).map("".join), max_size=12))
    return "\n".join(lines)


front_matter_text = st.one_of(
    metadata().map(lambda d: _dump_yaml(d, False)),
    metadata().map(lambda d: _dump_yaml(d, True)),
    metadata().map(lambda d: json.dumps(d, default=str, allow_nan=True)),
    yamlish_lines(),
    st.text(max_size=200),
)

inline = st.one_of(
    st.text(max_size=30),
    st.builds(lambda t, u: f"[{t}]({u})", st.text(max_size=15), st.sampled_from(URLS) | st.text(max_size=20)),
    st.sampled_from(URLS),
    st.builds(lambda u: f'<a href="{u}">link</a>', st.sampled_from(URLS)),
    st.sampled_from(["**bold**", "`code`", "<script>alert(1)</script>", "\x1b[31m", "\u202e", "|", "_x_", "\r"]),
)
heading_words = st.sampled_from(
    ["Training data", "Training Data", "Dataset", "Code", "License", "Training procedure", "Preprocessing",
     "Evaluation", "Intended use", "Limitations", "Model details", ""]
)  # fmt: skip
line_text = st.lists(inline, max_size=5).map(" ".join)
block = st.one_of(
    st.builds(lambda n, h, t: f"{'#' * n} {h} {t}", st.integers(1, 7), heading_words, line_text),
    st.builds(lambda h, c: f"{h}\n{c * 3}", heading_words, st.sampled_from(["=", "-"])),
    st.builds(lambda n, h: f"<h{n}>{h}</h{n}>", st.integers(1, 6), heading_words),
    st.builds(lambda h: f"**{h}**", heading_words),
    st.builds(lambda f, t: f"{f}python\n{t}\n{f}", st.sampled_from(["```", "~~~", "````"]), line_text),
    st.sampled_from(["```", "~~~"]),  # an unclosed fence
    st.builds(lambda items: "\n".join(f"- {i}" for i in items), st.lists(line_text, max_size=4)),
    st.builds(lambda a, b: f"| {a} | {b} |\n|---|---|", line_text, line_text),
    line_text,
)
markdown = st.lists(block, max_size=12).map("\n\n".join)


@st.composite
def cards(draw: st.DrawFn) -> str:
    """A whole README: maybe front matter (maybe unterminated), a Markdown body, maybe damaged line ends."""
    body = draw(markdown)
    shape = draw(st.sampled_from(["front-matter"] * 4 + ["unterminated", "none", "random"]))
    if shape == "random":
        return draw(st.text(max_size=400))
    if shape == "none":
        text = body
    elif shape == "unterminated":
        text = "---\n" + draw(front_matter_text) + "\n" + body
    else:
        text = "---\n" + draw(front_matter_text) + "\n---\n" + body
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])))
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\x00" + text[at:]
    return text


@st.composite
def plausible_cards(draw: st.DrawFn) -> str:
    """Well-formed cards with plausible values for the keys that decide a verdict: they reach every grading rule."""
    data = {key: draw(strategy) for key, strategy in field_values.items() if draw(st.integers(0, 3)) > 0}
    body = draw(markdown)
    return "---\n" + _dump_yaml(data, draw(st.booleans())) + "---\n" + body


FILE_NAMES = [
    "model.safetensors", "pytorch_model.bin", "LICENSE", "config.json", "model.gguf", "README.md",
    "unet/diffusion_pytorch_model.safetensors", "<script>.bin", "a/../b.pt", "",
]  # fmt: skip
file_lists = st.one_of(st.none(), st.lists(st.sampled_from(FILE_NAMES) | st.text(max_size=20), max_size=6))

# ------------------------------------------------------------------------------------------- checks


@cache
def _validator() -> Any:
    """A JSON Schema validator for the report, when ``jsonschema`` is installed (it is not a dependency)."""
    try:
        import jsonschema
    except ImportError:
        return None
    schema = Report.json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check_report(report: Report) -> None:
    assert isinstance(report, Report)
    doc = report.to_json()
    assert Report.model_validate_json(doc) == report
    validator = _validator()
    if validator is not None:
        errors = sorted(validator.iter_errors(json.loads(doc)), key=str)
        assert not errors, errors[0].message
    assert all(isinstance(note, str) and "\n" not in note for note in report.unreadable)


# ------------------------------------------------------------------------------------------- properties


@FUZZ
@given(cards())
def test_parse_card_never_raises(text: str) -> None:
    card = parse_card(text)
    total = len(card.lines)
    assert 0 <= card.front_matter_end <= total
    assert card.has_front_matter or card.front_matter_end == 0
    for section in card.sections:
        assert card.front_matter_end < section.start_line <= section.end_line <= total
        assert 1 <= section.level <= 6 and section.heading
    for link in card.links:
        assert card.front_matter_end < link.line <= total and link.url
    for key, line in card.metadata_keys.items():
        assert 1 <= line <= total and key
    assert all(isinstance(p, str) and p for p in card.problems)
    CardMetadata.model_validate(card.metadata.model_dump())


@FUZZ
@given(st.text(max_size=600))
def test_parse_card_on_random_text(text: str) -> None:
    card = parse_card(text)
    assert len(card.lines) == card.text.count("\n") + 1


@FUZZ
@given(st.one_of(st.binary(max_size=2000), cards().map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_decode_card_never_raises(data: bytes) -> None:
    text, problems = decode_card(data)
    assert all(isinstance(p, str) and "\n" not in p for p in problems)
    if text is None:
        assert problems
    else:
        assert not text.startswith("\ufeff")
        parse_card(text)


@FUZZ
@given(st.binary(max_size=3000), st.integers(min_value=0, max_value=2000))
def test_decode_card_respects_the_cap(data: bytes, cap: int) -> None:
    text, problems = decode_card(data, max_bytes=cap)
    if len(data) > cap:
        assert any("only the first" in p for p in problems)
    if text is not None:
        assert len(text.encode("utf-8", "surrogatepass")) <= 3 * min(len(data), cap) + 3
    assert MAX_CARD_BYTES > 0


@FUZZ
@given(front_matter_text, st.booleans())
def test_load_yaml_mapping_never_raises(block: str, select: bool) -> None:
    keys = frozenset(READ_KEYS) if select else None
    mapping, problem = load_yaml_mapping(block, keys)
    if mapping is None:
        assert isinstance(problem, str) and problem
    else:
        assert problem is None and isinstance(mapping, dict)
        if keys is not None:
            assert set(mapping) <= keys


@FUZZ
@given(metadata(), st.booleans())
def test_selected_keys_load_like_a_full_load(data: dict[Any, Any], flow: bool) -> None:
    """Building only the keys openscore reads gives what PyYAML's full safe_load gives for them."""
    block = _dump_yaml(data, flow)
    mapping, problem = load_yaml_mapping(block, frozenset(READ_KEYS))
    assert problem is None and mapping is not None
    full = yaml.safe_load(block) or {}
    expected = {k: v for k, v in full.items() if k in READ_KEYS}
    assert json.dumps(mapping, default=str, sort_keys=True) == json.dumps(expected, default=str, sort_keys=True)


@FUZZ
@given(cards(), file_lists, st.text(max_size=40))
def test_grade_card_never_raises_and_fits_the_schema(text: str, files: list[str] | None, target: str) -> None:
    report = openscore.grade_card(text, files=files, target=target or "<card>")
    check_report(report)


@FUZZ
@given(plausible_cards(), file_lists)
def test_grade_plausible_card(text: str, files: list[str] | None) -> None:
    report = openscore.grade_card(text, files=files)
    check_report(report)
    if "license:" in text.split("\n---\n", 1)[0]:
        assert report.criteria.usage_terms.findings


@FUZZ
@given(st.text(max_size=800), file_lists)
def test_grade_card_on_random_text(text: str, files: list[str] | None) -> None:
    check_report(openscore.grade_card(text, files=files))
