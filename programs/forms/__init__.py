from confusable_homoglyphs import categories
from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.db.models import Value
from django.db.models.functions import Lower

from .care import valid_zone

# Scripts written together in everyday names (Unicode's "highly restrictive" level, UTS #39):
# Japanese mixes Han with both kanas, Chinese Han with Bopomofo, Korean Han with Hangul, each
# with Latin. Any other mix (Latin with Cyrillic, say) is how lookalike names are made.
WRITTEN_TOGETHER = [
    {"LATIN", "HAN", "HIRAGANA", "KATAKANA"},
    {"LATIN", "HAN", "BOPOMOFO"},
    {"LATIN", "HAN", "HANGUL"},
]


def mixes_alphabets(name: str) -> bool:
    scripts = categories.unique_aliases(name) - {"COMMON", "INHERITED"}
    return len(scripts) > 1 and not any(scripts <= together for together in WRITTEN_TOGETHER)


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        required=False,
        help_text="Optional: only used to reset a forgotten password. An address can belong to "
        "one account only.",
    )
    # Filled in by the browser (static/js/time-zone.js); editable later. Without it, or with a
    # name this server does not know, the site's own zone is used and the person can change it.
    time_zone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_username(self) -> str:
        username = super().clean_username()
        # Letters from two alphabets that look alike ("paul" with a Cyrillic a) could pass for
        # someone else's name: one alphabet per name, digits and punctuation aside.
        if username and mixes_alphabets(username):
            raise forms.ValidationError(
                "Use letters from one alphabet only: this name mixes alphabets, so it could be "
                "mistaken for someone else's."
            )
        return username

    def clean_email(self) -> str:
        # As the account will store it, compared as the database's unique index does.
        email = User.objects.normalize_email(self.cleaned_data.get("email", "").strip())
        taken = User.objects.annotate(low=Lower("email")).filter(low=Lower(Value(email)))
        if email and taken.exists():
            raise forms.ValidationError(
                "This address already belongs to an account, and an address can belong to one "
                "only. If it is yours, log in, or reset that account's password."
            )
        return email

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not settings.MAIL_CONFIGURED:
            # This server sends no mail: the address is not used for a reset here.
            self.fields["email"].help_text = "Optional. An address can belong to one account only."

    def clean_time_zone(self) -> str:
        name = self.cleaned_data.get("time_zone", "").strip()
        return name if name and valid_zone(name) else ""
