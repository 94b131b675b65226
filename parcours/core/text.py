"""Text folding shared by every search that is not the search engine's."""

import unicodedata


def fold(text: str) -> str:
    """Lowercase without accents: « Vétérinaire » → « veterinaire » (accent-insensitive search)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
