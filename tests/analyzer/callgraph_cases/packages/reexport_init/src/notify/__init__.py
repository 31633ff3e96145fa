from .email import send_email
from .sms import send_sms as send_text

__all__ = ["send_email", "send_text"]
