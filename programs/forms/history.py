from django import forms
from django.contrib.auth.models import AbstractBaseUser

from .self_test import SelfTestFields


class SelfTestForm(SelfTestFields):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=300,
        help_text="Anything that affected today's measurement, such as a cold room or a sore back.",
        error_messages={"max_length": "Keep the note to 300 characters or fewer."},
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to confirm it is you."},
    )
    confirm = forms.BooleanField(
        label="I understand that my account and all my records will be deleted for good.",
        error_messages={"required": "Tick the box to confirm you want everything deleted."},
    )

    def __init__(self, user: AbstractBaseUser, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not right. Nothing was deleted.")
        return password
