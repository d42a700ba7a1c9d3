from confusable_homoglyphs import confusables
from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from .care import valid_zone


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
        if username and confusables.is_mixed_script(username, allowed_aliases=["COMMON"]):
            raise forms.ValidationError(
                "Use letters from one alphabet only: this name mixes alphabets, so it could be "
                "mistaken for someone else's."
            )
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email", "").strip()
        if email and User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "This address already belongs to an account, and an address can belong to one "
                "only. If it is yours, log in, or reset that account's password."
            )
        return email

    def clean_time_zone(self) -> str:
        name = self.cleaned_data.get("time_zone", "").strip()
        return name if name and valid_zone(name) else ""
