import re
import sys
import unicodedata

from skembed.text._unicode_tables import INVISIBLE, MARKS, UNICODE_VERSION, UNSEGMENTED


def _matched(char_class):
    pattern = re.compile(f"[{char_class}]")
    return {c for c in range(sys.maxunicode + 1) if pattern.match(chr(c))}


def test_marks_are_the_combining_mark_categories():
    matched = _matched(MARKS)
    categories = {unicodedata.category(chr(c)) for c in matched}
    assert categories <= {"Mn", "Mc", "Me"}
    marks = {
        c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in {"Mn", "Mc", "Me"}
    }
    if unicodedata.unidata_version == UNICODE_VERSION:
        assert matched == marks
    else:  # a newer Unicode adds marks: the table still covers nearly all of them
        assert len(matched & marks) >= 0.97 * len(marks)


def test_invisible_is_format_and_non_space_control_characters():
    matched = _matched(INVISIBLE)
    for c in matched:
        char = chr(c)
        assert unicodedata.category(char) in {"Cf", "Cc"} and not char.isspace()
    for char in "\u200b\u00ad\ufeff\u202e\u2060\x00\x07\x7f":
        assert ord(char) in matched
    for char in "\u200c\u200d\t\n\r a":  # ZWNJ, ZWJ and whitespace stay
        assert ord(char) not in matched


def test_unsegmented_scripts():
    pattern = re.compile(f"[{UNSEGMENTED}]")
    for char in "北京東京ひらがなカタカナภาษาລາວ":
        assert pattern.match(char), char
    for char in "aéж한글ب":
        assert not pattern.match(char), char
