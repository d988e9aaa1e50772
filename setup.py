"""Build hook: the wheel also carries the site-wide templates/, static/ and locale/.

In a checkout they sit beside the apps, where settings.BASE_DIR finds them. An installed
wheel has them in vetting/site/, which settings.SITE_DIR prefers when it exists. Everything
else about the package is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SITE_DIRS = ("templates", "static", "locale")


class BuildWithSiteFiles(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install runs from the checkout, which has them
            return
        for name in SITE_DIRS:
            shutil.copytree(
                name,
                Path(self.build_lib, "vetting", "site", name),
                ignore=shutil.ignore_patterns("__pycache__"),
                dirs_exist_ok=True,
            )


setup(cmdclass={"build_py": BuildWithSiteFiles})
