"""One router per resource; ``uts_api.app`` mounts them under ``/v1``."""
