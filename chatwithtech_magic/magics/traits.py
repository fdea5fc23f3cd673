"""``ChatMagics``' traits, made from the table of settings (settings.py).

Each trait refuses a value it can't take in one printed line and keeps its value. IPython's
``%config`` only *logs* a ``TraitError``, which a user may never see, and a wrong type
(``%config ChatMagics.timeout = "long"``) raised one before any range was checked; here the type, the
range and the base URL's scheme are all checked in the trait's own ``validate``, for every setting alike.
"""

from __future__ import annotations

from traitlets import Bool, Enum, Float, Int, TraitError, TraitType, Unicode

from .. import options
from ..i18n import choose_language, sentences
from ..settings import SETTINGS, Setting, expected


class _Refusing:
    """A trait whose bad value is said in one line (on stdout, where the user sees it) and not taken."""

    owner_name = "ChatMagics"

    def validate(self, obj, value):
        try:
            value = super().validate(obj, value)
        except TraitError:
            return self._refuse(obj, value, wrong_type=True)
        if options.problem(self.name, value) is None:  # the common case: no language looked up
            return value
        return self._refuse(obj, value)

    def _refuse(self, obj, value, wrong_type: bool = False):
        name, option = self.name, f"{self.owner_name}.{self.name}"
        # Validation runs before the value is stored, under %config's held notifications too: the trait
        # still holds the last accepted value (or none yet: the default).
        current = obj._trait_values.get(name, self.default_value)
        language = choose_language(current if name == "language" else getattr(obj, "language", "auto"))
        if wrong_type:
            problem = options.OUT_OF_RANGE.get(language, option=option, value=shown(value), expected=expected(name, language))
        else:
            problem = options.problem(name, value, option, language)
        print(sentences(language, problem, options.KEPT.get(language, current=repr(current))))
        return current


def shown(value) -> str:
    """A refused value as the message repeats it. A long text may be a key pasted into the wrong setting: it is
    described, never repeated."""
    if isinstance(value, (bool, int, float)) or value is None:
        return str(value)
    if isinstance(value, str) and len(value) <= 12:
        return repr(value)
    return f"<{type(value).__name__}>"


# Named as traitlets names them: ``%config ChatMagics`` lists ``timeout=<Float>``, as before.
_KINDS = {kind: type(base.__name__, (_Refusing, base), {}) for kind, base in ((str, Unicode), (float, Float), (int, Int), (bool, Bool))}
_CHOICES = type("Enum", (_Refusing, Enum), {})


def trait(setting: Setting) -> TraitType:
    """The configurable trait for one row of the table."""
    if setting.choices:
        made = _CHOICES(setting.choices, setting.default, help=setting.help)
    else:
        made = _KINDS[setting.kind](setting.default, help=setting.help)
    return made.tag(config=True)


def traits() -> dict[str, TraitType]:
    """Every setting's trait, by name, for the class body of ``ChatMagics``."""
    return {setting.name: trait(setting) for setting in SETTINGS}
