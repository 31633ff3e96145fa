from .http import Client
