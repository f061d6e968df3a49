"""What the search tests share: searches that are syntax in some query language, and the
seed's frameworks a search for "sandbox" finds."""

SG_FRAMEWORKS = {"sg-model-ai-governance-framework", "sg-ai-verify-toolkit"}


# Searches that are syntax in one query language or another; none may fail.
AWKWARD = [
    "'",
    '"',
    "&",
    "|",
    "!",
    ":*",
    "sandbox:*",
    '"unbalanced',
    'sandbox"',
    "it's",
    "a & b | !c",
    "(sandbox",
    "sandbox)",
    "\\",
    "%",
    "_",
    "--",
    "-",
    "or",
    "sandbox or",
    "or or or",
    "-sandbox",
    "<>",
    "'; DROP TABLE instruments_instrument; --",
    "\x00",
    "sand\x00box",
    "é",
    "中国",
    "the",
]
