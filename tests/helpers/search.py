"""What the search tests share: searches that are syntax in some query language, and the
seed's frameworks a search for "sandbox" finds."""

SG_FRAMEWORKS = {"sg-model-ai-governance-framework", "sg-ai-verify-toolkit"}

# The seed's instruments a search for "sandbox" finds: Singapore's two frameworks (filed under
# the topic Sandboxes) and the texts that name a sandbox in their own words.
SANDBOX_INSTRUMENTS = SG_FRAMEWORKS | {
    "cn-anthropomorphic-ai-measures",
    "de-ki-mig",
    "gb-ai-regulation-white-paper-2023",
    "gb-mhra-ai-airlock",
    "in-ai-governance-guidelines",
    "in-rbi-free-ai-framework",
    "th-draft-ai-law-principles",
    "us-ct-sb-5",
    "us-fy2026-ndaa-ai-provisions",
    "us-tx-hb-149",
    "us-ut-hb-320",
    "us-ut-sb-149",
    "us-ut-sb-332",
}


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
