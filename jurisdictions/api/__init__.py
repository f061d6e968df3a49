"""The jurisdictions part of the REST API, and the pieces every list of the API shares.

The shared pieces (strict filtering, strict pagination, CSV) live here rather than in
`instruments` because `instruments` imports `jurisdictions` and never the other way round.
"""
