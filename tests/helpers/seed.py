"""Facts of the seed that several test files check, written once."""

# The seed's events, newest first (the default order of every list of events; one day's events
# by title).
SEED_EVENTS = [
    # 2026
    "un-global-dialogue-geneva-2026",
    "eu-omnibus-ai-parliament-vote-2026",
    "tw-national-ai-strategy-special-committee-2026",
    "cn-state-council-2026-legislative-plan-ai-law",
    "eu-omnibus-ai-provisional-agreement-2026",
    "jp-ldp-ai-penalty-proposal-2026",
    "us-co-court-stays-ai-act",
    "us-co-doj-intervenes-xai-v-weiser",
    "us-co-xai-v-weiser-filed",
    "eu-omnibus-ai-council-position-2026",
    "us-ca-xai-v-bonta-injunction-denied",
    "in-ai-impact-summit-2026",
    "un-scientific-panel-appointment-2026",
    "asean-adgmin-6-2026",
    "us-doj-ai-litigation-task-force-2026-01-09",
    # 2025
    "us-fy2026-ndaa-signed-2025-12-18",
    "kr-apec-leaders-gyeongju-2025",
    "cn-xi-proposes-waico-apec-2025",
    "timor-leste-joins-asean-2025",
    "un-global-dialogue-launch-2025",
    "jp-ai-strategy-headquarters-2025",
    "kratsios-urges-asia-to-reject-eu-regulation",
    "kr-apec-digital-ai-ministerial-2025",
    "li-qiang-calls-for-international-ai-governance-body",
    "us-congress-push-to-ban-chinese-ai-from-federal-use",
    "gb-ai-safety-institute-renamed-2025",
    "intl-ai-action-summit-paris-2025",
    # 2024
    "ai-seoul-summit-2024",
    "asean-digital-ministers-meeting-2024",
    # 2023
    "intl-ai-safety-summit-2023",
]
