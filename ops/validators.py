"""Password validators with Chinese messages where Django's zh-hans catalogue lacks them."""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    # Django 5.2's zh-hans catalogue has no translation of the new "too short" message; users saw English.
    def get_error_message(self) -> str:
        return f"密码太短，至少须有 {self.min_length} 个字符。"
