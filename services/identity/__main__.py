"""Run the development issuer: PZW_ENV=development python -m services.identity"""

import sys

import uvicorn

from services.identity.app import build_app
from services.identity.config import IdentitySettings


def main() -> None:
    settings = IdentitySettings()
    if settings.env != "development":
        sys.exit(f"services.identity is the development OpenID Connect issuer and refuses to run with "
                 f"PZW_ENV={settings.env!r}: demo users sign in without real credentials. Set PZW_ENV=development "
                 f"for local work, and point the services at a real provider (PZW_OIDC_ISSUER) everywhere else.")
    app = build_app(settings)
    print(f"development issuer {settings.issuer_url()} (demo users: {settings.directory})", flush=True)
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
