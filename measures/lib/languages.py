"""Languages of texts, as BCP 47 tags (RFC 5646: "en", "ur", "hi", "pa-Arab", "zh-Hant-TW"): checking
and writing a tag, its writing direction, its name for people, and whether two tags are the same
language.

Sources, citations and rationales carry such a tag (empty: not known). Pages and the PDF put it in
`lang` (and `dir="rtl"` for a language written right to left) on the element around the text, so
that screen readers pronounce it, hyphenation and line breaking follow its rules and fonts are chosen
for its script (Urdu in Nastaliq, Persian and Arabic in Naskh).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

MAX_LENGTH = 35  # RFC 5646 §4.4.1: 35 characters hold every tag a registry lists

# language (2–3 letters, or 5–8 registered), script (4 letters), region (2 letters or 3 digits),
# variants (5–8 characters, or 4 starting with a digit); extensions and private use are not needed.
_TAG = re.compile(
    r"^(?P<language>[a-z]{2,3}|[a-z]{5,8})"
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?P<variants>(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)$",
    re.IGNORECASE,
)

# Languages written right to left, by primary subtag; and scripts written right to left, for a tag
# that names one ("pa-Arab", "az-Arab").
_RTL_LANGUAGES = frozenset("ar arc ckb dv fa he iw ks ku-arab ps sd syr ug ur yi".split())
_RTL_SCRIPTS = frozenset("arab hebr syrc thaa nkoo adlm rohg mand samr".split())

# English names of the languages a case is likely to meet (lingua-language-detector's 75 and the
# languages of the scripts it does not know); any other well-formed tag is shown as it is.
NAMES = {
    "af": "Afrikaans",
    "am": "Amharic",
    "ar": "Arabic",
    "az": "Azerbaijani",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "bo": "Tibetan",
    "bs": "Bosnian",
    "ca": "Catalan",
    "ckb": "Central Kurdish",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "dv": "Dhivehi",
    "el": "Greek",
    "en": "English",
    "eo": "Esperanto",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "gu": "Gujarati",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "is": "Icelandic",
    "it": "Italian",
    "ja": "Japanese",
    "ka": "Georgian",
    "kk": "Kazakh",
    "km": "Khmer",
    "kn": "Kannada",
    "ko": "Korean",
    "ku": "Kurdish",
    "la": "Latin",
    "lg": "Ganda",
    "lo": "Lao",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mi": "Maori",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "mn": "Mongolian",
    "mr": "Marathi",
    "ms": "Malay",
    "my": "Burmese",
    "nb": "Norwegian Bokmål",
    "ne": "Nepali",
    "nl": "Dutch",
    "nn": "Norwegian Nynorsk",
    "or": "Odia",
    "pa": "Punjabi",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sd": "Sindhi",
    "si": "Sinhala",
    "sk": "Slovak",
    "sl": "Slovene",
    "sn": "Shona",
    "so": "Somali",
    "sq": "Albanian",
    "sr": "Serbian",
    "st": "Southern Sotho",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "ti": "Tigrinya",
    "tl": "Tagalog",
    "tn": "Tswana",
    "tr": "Turkish",
    "ts": "Tsonga",
    "ug": "Uyghur",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "vi": "Vietnamese",
    "xh": "Xhosa",
    "yi": "Yiddish",
    "yo": "Yoruba",
    "zh": "Chinese",
    "zu": "Zulu",
}


def normalise_tag(tag):
    """`tag` written as BCP 47 recommends (language lower case, Script title case, REGION upper
    case): "UR-pk" → "ur-PK"; "" for an empty tag. Raises ValueError for a tag that is not well-formed."""
    tag = (tag or "").strip().replace("_", "-")
    if not tag:
        return ""
    match = _TAG.match(tag)
    if match is None:
        raise ValueError(tag)
    parts = [match["language"].lower()]
    if match["script"]:
        parts.append(match["script"].title())
    if match["region"]:
        parts.append(match["region"].upper())
    parts.extend(variant.lower() for variant in match["variants"].split("-") if variant)
    return "-".join(parts)


def primary(tag):
    """The language subtag of `tag` ("ur" for "ur-PK"), lower case; "" for an empty tag."""
    return (tag or "").split("-", 1)[0].lower()


def same_language(tag, other):
    """Whether two tags name the same language (their language subtags agree: "en-GB" and "en")."""
    return bool(tag) and primary(tag) == primary(other)


def direction(tag):
    """ "rtl" for a language (or a script named in the tag) written right to left, else "ltr"."""
    parts = (tag or "").lower().split("-")
    if parts[0] in _RTL_LANGUAGES or any(part in _RTL_SCRIPTS for part in parts[1:]):
        return "rtl"
    return "ltr"


def name(tag):
    """The English name of `tag`'s language ("Urdu" for "ur-PK", with the region: "Urdu (PK)"), or
    the tag itself when the language is not in NAMES; "" for an empty tag."""
    if not tag:
        return ""
    known = NAMES.get(primary(tag))
    if known is None:
        return tag
    rest = tag.split("-", 1)[1] if "-" in tag else ""
    return f"{known} ({rest})" if rest else known


def choices():
    """(tag, "Name (tag)") for every language in NAMES, by name: for a language field's menu."""
    return sorted(((tag, f"{label} ({tag})") for tag, label in NAMES.items()), key=lambda item: item[1])


@deconstructible
class LanguageTagValidator:
    """Refuses a value that is not a well-formed BCP 47 tag (empty is allowed: not known)."""

    def __call__(self, value):
        try:
            normalise_tag(value)
        except ValueError:
            raise ValidationError(
                "“%(value)s” is not a language tag: write a BCP 47 tag such as “en”, “ur”, “hi”, “pa-Arab” "
                "or “zh-Hant”.",
                code="language_tag",
                params={"value": value},
            ) from None

    def __eq__(self, other):
        return isinstance(other, LanguageTagValidator)


language_tag = LanguageTagValidator()
