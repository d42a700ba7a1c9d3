from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from .care import valid_zone


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        required=False, help_text="Optional: only used to reset a forgotten password."
    )
    # Filled in by the browser (static/js/time-zone.js); editable later. Without it, or with a
    # name this server does not know, the site's own zone is used and the person can change it.
    time_zone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_time_zone(self) -> str:
        name = self.cleaned_data.get("time_zone", "").strip()
        return name if name and valid_zone(name) else ""
