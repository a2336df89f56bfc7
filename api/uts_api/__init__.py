"""The HTTP API of uts (FastAPI): ``create_app(store, settings)``; run it with ``uts serve``."""

from uts_api.app import app_from_env, create_app
from uts_api.settings import ApiSettings

__all__ = ["ApiSettings", "app_from_env", "create_app"]
