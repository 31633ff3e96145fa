"""WSGI entry point: ``python -m flask --app wsgi run`` or ``gunicorn wsgi:app``."""
import os

from streamshop.app import create_app

app = create_app()

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8000")))
