"""Surface forms of labels: when two strings are the same label (``normalise``) and their inflected forms.

The bottom of the package: plain string functions, no knowledge of concepts, used by every layer above.
"""

from uts.lexical.inflection import base_forms, inflections, plurals, singulars, verb_forms
from uts.lexical.keys import nfc, normalise, unaccented

__all__ = ["base_forms", "inflections", "nfc", "normalise", "plurals", "singulars", "unaccented", "verb_forms"]
