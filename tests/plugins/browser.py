"""A real headless Chromium for the report tests (Debian's ``chromium`` + ``chromium-driver``, driven by Selenium).

``browser`` (session): one Chromium for the whole run, started with a new empty profile and every network
feature that runs on its own turned off; tests marked ``browser`` are skipped, with the reason, when the
binaries or Selenium are missing.  ``browser_logs(driver)`` returns (and clears) the console messages.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


def _find(names: tuple[str, ...], env: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_paths() -> tuple[str, str] | str:
    """``(chromium, chromedriver)``, or the reason they cannot be used."""
    chromium = _find(("chromium", "chromium-browser"), "SQUASHKIT_CHROMIUM")
    driver = _find(("chromedriver",), "SQUASHKIT_CHROMEDRIVER")
    if chromium is None or driver is None:
        return "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install -e '.[test]')"
    return chromium, driver


def start_chromium(profile: Path, *, width: int = 1400, height: int = 1000) -> Any:
    """A Selenium driver for a new headless Chromium whose profile lives in ``profile`` (an empty folder)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = chromium_paths()
    if isinstance(found, str):
        raise RuntimeError(found)
    chromium, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def browser_logs(driver: Any) -> list[dict[str, Any]]:
    """Console messages since the last call (each ``{"level", "message", "source", "timestamp"}``)."""
    return list(driver.get_log("browser"))


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    found = chromium_paths()
    if isinstance(found, str):
        pytest.skip(found)
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()
